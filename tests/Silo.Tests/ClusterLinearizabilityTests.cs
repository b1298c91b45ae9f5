using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using IceFire.Raft.Tests.Linearizability;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests;

/// <summary>
/// Concurrent clients on a few keys through every silo while the network partitions and heals and a silo is killed
/// (-9) and restarted: the recorded history must be linearizable per key, final reads included, so no acknowledged
/// write is lost.
/// </summary>
public sealed class ClusterLinearizabilityTests(ITestOutputHelper output)
{
    private const int Keys = 3;
    private const int Clients = 5;
    private const int MaxOperations = 1500;
    private static readonly TimeSpan PhaseBound = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task Set_get_and_incr_stay_linearizable_through_partitions_and_a_kill()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var history = new ConcurrentQueue<Operation>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        try
        {
            var events = new List<string>();
            var clients = Enumerable.Range(0, Clients).Select(p => Task.Run(() => RunClient(cluster, p, clock, history, outcomes, stop.Token))).ToList();

            async Task Progress(int acknowledged, string during)
            {
                var target = Acknowledged(history) + acknowledged;
                var phase = Stopwatch.StartNew();
                await LocalCluster.WaitAsync(() => Task.FromResult(Acknowledged(history) >= target), $"{acknowledged} acknowledged operations {during}", PhaseBound);
                events.Add($"{acknowledged} acknowledged {during} in {phase.ElapsedMilliseconds} ms");
            }

            await Progress(100, "before any fault");
            var leader = await cluster.Silos.LeaderOfAsync("default");
            var isolatedAt = clock.ElapsedTicks;
            cluster.Isolate(leader);
            events.Add($"isolated leader {leader}");
            await Progress(100, $"with node {leader} isolated");
            cluster.Network.Heal();
            await Progress(60, "after healing");

            var second = await cluster.Silos.LeaderOfAsync("default");
            var follower = cluster.Others(second).First();
            cluster.Network.Partition([second], [follower], oneWay: true);
            events.Add($"blocked {second}->{follower} one way");
            await Progress(60, $"with {second}->{follower} blocked");
            cluster.Network.Heal();

            foreach (var a in Enumerable.Range(1, 3))
            {
                foreach (var b in cluster.Others(a))
                {
                    cluster.Network.Delay(a, b, TimeSpan.FromMilliseconds(100));
                }
            }
            events.Add("delayed every link by 100 ms");
            await Progress(60, "with every link delayed");
            cluster.Network.Heal();

            var victim = await cluster.Silos.LeaderOfAsync("default");
            var killedAt = clock.ElapsedTicks;
            await cluster.Silos.KillAsync(victim);
            events.Add($"killed leader {victim}");
            await Progress(100, $"with node {victim} killed");
            await cluster.Silos.StartNodeAsync(victim);
            events.Add($"restarted {victim}");
            await Progress(60, "after the restart");

            await stop.CancelAsync();
            await Task.WhenAll(clients);
            await cluster.Silos.WaitConvergedAsync("default", 3, TimeSpan.FromSeconds(40));

            // Final reads: a linearizable one joins the history; every replica's own copy (READONLY) must match it.
            var final = new List<string>();
            using (var reader = RespSocket.Connect(cluster.Silos.RespPort(1)))
            {
                for (var key = 0; key < Keys; key++)
                {
                    var invoke = clock.ElapsedTicks;
                    var reply = reader.Call("GET", KeyName(key));
                    history.Enqueue(new Operation(Clients, OpKind.Read, key, ParseBulk(reply), invoke, clock.ElapsedTicks));
                    final.Add(reply);
                }
            }
            for (var node = 1; node <= 3; node++)
            {
                using var replica = RespSocket.Connect(cluster.Silos.RespPort(node));
                Assert.Equal("+OK\r\n", replica.Call("READONLY"));
                for (var key = 0; key < Keys; key++)
                {
                    Assert.True(replica.Call("GET", KeyName(key)) == final[key], $"node {node}'s replica of {KeyName(key)} differs from {final[key].TrimEnd()}");
                }
            }

            var ops = history.ToList();
            var isolationFailover = FirstWriteAfter(ops, isolatedAt);
            var killFailover = FirstWriteAfter(ops, killedAt);
            output.WriteLine($"phases: {string.Join("; ", events)}");
            output.WriteLine($"first write acknowledged {isolationFailover} ms after isolating the leader, {killFailover} ms after killing it");
            output.WriteLine($"{ops.Count} operations: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
            var check = Stopwatch.StartNew();
            var result = LinearizabilityChecker.Check(ops, maxStates: 5_000_000);
            output.WriteLine($"linearizability: {result.Verdict} ({ops.Count(o => o.Pending)} of unknown outcome) in {check.ElapsedMilliseconds} ms");
            Assert.True(result.Verdict == Verdict.Linearizable, result.Describe());
        }
        catch
        {
            await stop.CancelAsync();
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    private static string KeyName(int key) => $"lin:{key}";

    private static int Acknowledged(ConcurrentQueue<Operation> history) => history.Count(o => !o.Pending);

    /// <summary>Milliseconds from <paramref name="since"/> (stopwatch ticks) to the first acknowledged write invoked after it.</summary>
    private static long FirstWriteAfter(List<Operation> ops, long since)
    {
        var first = ops.Where(o => o.Kind != OpKind.Read && !o.Pending && o.Invoke >= since).Select(o => o.Return).DefaultIfEmpty(long.MaxValue).Min();
        return first == long.MaxValue ? -1 : (first - since) * 1000 / Stopwatch.Frequency;
    }

    /// <summary>
    /// One client: random GET, SET (a value no one else writes) and INCR on the keys, through one silo until it fails,
    /// then through the next. A write that fails with TRYAGAIN or gets no reply may have happened: it stays pending.
    /// CLUSTERDOWN promises the write was not applied, so it leaves no trace in the history.
    /// </summary>
    private static void RunClient(TestCluster cluster, int process, Stopwatch clock, ConcurrentQueue<Operation> history, ConcurrentDictionary<string, int> outcomes, CancellationToken stop)
    {
        var rng = new Random(process);
        var node = process % cluster.Count + 1;
        RespSocket? socket = null;
        for (var seq = 1; !stop.IsCancellationRequested && history.Count < MaxOperations; seq++)
        {
            var key = rng.Next(Keys);
            var roll = rng.Next(10);
            var kind = roll < 4 ? OpKind.Read : roll < 7 ? OpKind.Write : OpKind.Increment;
            // Multiples of 1000 and unique per writer, so increments rarely reach another write's value.
            long? written = kind == OpKind.Write ? ((process + 1) * 1_000_000L) + (seq * 1000L) : null;
            string[] command = kind switch
            {
                OpKind.Read => ["GET", KeyName(key)],
                OpKind.Write => ["SET", KeyName(key), written!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                _ => ["INCR", KeyName(key)],
            };
            if (socket is null)
            {
                try
                {
                    socket = Connect(cluster, node);
                }
                catch (SocketException)
                {
                    // The silo is down: nothing was sent, so nothing enters the history.
                    node = node % cluster.Count + 1;
                    // The client's pause before reconnecting (part of the load, not a wait before an assertion).
                    Thread.Sleep(50);
                    continue;
                }
            }
            var invoke = clock.ElapsedTicks;
            string reply;
            try
            {
                reply = socket.Call(command);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                reply = "!no reply";
                socket?.Dispose();
                socket = null;
                node = node % cluster.Count + 1;
            }
            var done = clock.ElapsedTicks;
            var outcome = reply[0] switch
            {
                '-' => reply[1..reply.IndexOfAny([' ', '\r'])],
                '!' => "noreply",
                _ => "ok",
            };
            outcomes.AddOrUpdate($"{kind}:{outcome}", 1, (_, n) => n + 1);
            if (outcome == "ok")
            {
                history.Enqueue(new Operation(process, kind, key, kind switch
                {
                    OpKind.Read => ParseBulk(reply),
                    OpKind.Write => written,
                    _ => long.Parse(reply.AsSpan(1, reply.Length - 3), System.Globalization.CultureInfo.InvariantCulture),
                }, invoke, done));
            }
            else if (kind != OpKind.Read && outcome != "CLUSTERDOWN")
            {
                history.Enqueue(new Operation(process, kind, key, written, invoke, long.MaxValue));
            }
            if (outcome != "ok" && socket is not null)
            {
                // Spread the clients over the silos that still answer.
                socket.Dispose();
                socket = null;
                node = node % cluster.Count + 1;
            }
            // A client's think time: paces the load so the history stays small enough to check (the phases wait on
            // acknowledged operations, not on time).
            Thread.Sleep(rng.Next(10, 40));
        }
        socket?.Dispose();
    }

    private static RespSocket Connect(TestCluster cluster, int node)
    {
        var socket = RespSocket.Connect(cluster.Silos.RespPort(node));
        socket.ReadTimeout = TimeSpan.FromSeconds(8);
        return socket;
    }

    private static long? ParseBulk(string reply) =>
        reply.StartsWith("$-1", StringComparison.Ordinal)
            ? null
            : long.Parse(reply.AsSpan(reply.IndexOf('\n') + 1).TrimEnd("\r\n"), System.Globalization.CultureInfo.InvariantCulture);
}
