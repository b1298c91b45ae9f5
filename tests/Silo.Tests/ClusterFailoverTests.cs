using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests;

/// <summary>kill -9 of a tenant's leader under write load: no acknowledged write is lost, on any replica.</summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_leader_loses_no_acknowledged_write()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        try
        {
            var acked = new ConcurrentDictionary<string, string>();
            var errors = new ConcurrentBag<string>();
            var firstAckAfterKill = new long[1];
            var killedAt = new long[1];
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(1, 3).Select(w => Task.Run(() => Write(w))).ToList();

            void Write(int writer)
            {
                var node = writer;
                RespSocket? socket = null;
                for (var seq = 0; !stop.IsCancellationRequested; seq++)
                {
                    var key = $"w{writer}:{seq}";
                    try
                    {
                        socket ??= RespSocket.Connect(cluster.RespPort(node));
                        var reply = socket.Call("SET", key, seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        if (reply == "+OK\r\n")
                        {
                            acked[key] = seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
                            if (Interlocked.Read(ref killedAt[0]) > 0)
                            {
                                Interlocked.CompareExchange(ref firstAckAfterKill[0], clock.ElapsedMilliseconds, 0);
                            }
                        }
                        else
                        {
                            errors.Add(reply.TrimEnd());
                        }
                    }
                    catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
                    {
                        // The silo this writer used is gone: carry on through the next one.
                        socket?.Dispose();
                        socket = null;
                        node = node % 3 + 1;
                        // The writer's pause before reconnecting (part of the load, not a wait before an assertion).
                        Thread.Sleep(20);
                    }
                }
                socket?.Dispose();
            }

            await LocalCluster.WaitAsync(() => Task.FromResult(acked.Count >= 300), "300 acknowledged writes", TimeSpan.FromSeconds(30));
            var leader = await cluster.LeaderOfAsync("default");
            var before = acked.Count;
            Interlocked.Exchange(ref killedAt[0], clock.ElapsedMilliseconds);
            await cluster.KillAsync(leader);
            await LocalCluster.WaitAsync(() => Task.FromResult(acked.Count >= before + 300), "300 more acknowledged writes after the kill", TimeSpan.FromSeconds(60));
            var failover = Interlocked.Read(ref firstAckAfterKill[0]) - Interlocked.Read(ref killedAt[0]);
            // The new leader counts the killed silo's replica out of its connected replicas.
            var next = await cluster.LeaderOfAsync("default");
            await LocalCluster.WaitAsync(
                async () => (await RedisCli.RunAsync(cluster.RespPort(next), "INFO", "replication")).Contains("connected_slaves:1", StringComparison.Ordinal),
                "INFO replication on the new leader to show one connected replica", TimeSpan.FromSeconds(10));
            await cluster.StartNodeAsync(leader);
            await LocalCluster.WaitAsync(() => Task.FromResult(acked.Count >= before + 600), "writes after the restart", TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            await cluster.WaitConvergedAsync("default", 3);
            output.WriteLine($"killed node {leader}; first write acknowledged {failover} ms after the kill; {acked.Count} writes acknowledged, {errors.Count} refused ({string.Join(", ", errors.Distinct().Take(3))})");

            // Every acknowledged write is on every replica: read each silo's own copy (READONLY).
            for (var node = 1; node <= 3; node++)
            {
                using var reader = RespSocket.Connect(cluster.RespPort(node));
                Assert.Equal("+OK\r\n", reader.Call("READONLY"));
                var keys = acked.Keys.ToList();
                var missing = new List<string>();
                foreach (var chunk in keys.Chunk(500))
                {
                    foreach (var key in chunk)
                    {
                        reader.Command("GET", key);
                    }
                    foreach (var key in chunk)
                    {
                        var reply = reader.ReadReply();
                        var value = acked[key];
                        if (reply != $"${value.Length}\r\n{value}\r\n")
                        {
                            missing.Add($"{key}={reply.TrimEnd()}");
                        }
                    }
                }
                Assert.True(missing.Count == 0, $"node {node} lacks {missing.Count} acknowledged writes: {string.Join(", ", missing.Take(5))}");
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }
}
