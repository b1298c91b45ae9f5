using System.Diagnostics;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests;

/// <summary>Partitions between silos (through <see cref="TestCluster"/>'s faulty network): availability, refusals, convergence, isolation.</summary>
public sealed class ClusterPartitionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RefusalBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Isolating_the_leader_moves_writes_to_the_majority_and_keeps_only_acknowledged_ones()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        try
        {
            var leader = await cluster.Silos.LeaderOfAsync("default");
            var majority = cluster.Others(leader).ToList();
            using var old = RespSocket.Connect(cluster.Silos.RespPort(leader));
            old.ReadTimeout = RefusalBound;
            var major = RespSocket.Connect(cluster.Silos.RespPort(majority[0]));
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal("+OK\r\n", (i % 2 == 0 ? old : major).Call("SET", $"before:{i}", "1"));
            }

            var clock = Stopwatch.StartNew();
            cluster.Isolate(leader);
            var elected = Task.Run(() => ElectedAsync(cluster, majority, clock));
            // Sent to the isolated leader at once: it can never reach a quorum, so it must not be acknowledged.
            var inFlight = Task.Run(() => Timed(old, "SET", "minority:0", "lost"));

            // The majority elects a leader of its own and takes writes through either of its silos.
            long failover = -1;
            var refused = new List<string>();
            await LocalCluster.WaitAsync(() =>
            {
                var (reply, _) = Timed(major, "SET", "after:0", "majority");
                if (reply == "+OK\r\n")
                {
                    failover = clock.ElapsedMilliseconds;
                    return Task.FromResult(true);
                }
                refused.Add(reply.TrimEnd());
                if (reply.StartsWith("!", StringComparison.Ordinal))
                {
                    // Timed out: the reply may still come; start over on a new connection.
                    major.Dispose();
                    major = RespSocket.Connect(cluster.Silos.RespPort(majority[0]));
                }
                return Task.FromResult(false);
            }, "a write acknowledged by the majority side", FailoverBound);
            using var majorTwo = RespSocket.Connect(cluster.Silos.RespPort(majority[1]));
            for (var i = 1; i < 10; i++)
            {
                Assert.Equal("+OK\r\n", (i % 2 == 0 ? major : majorTwo).Call("SET", $"after:{i}", "majority"));
            }
            var newLeader = await cluster.LeaderAmongAsync("default", majority, FailoverBound);

            // The isolated silo answers its clients with an error in bounded time rather than hanging, or, once the
            // others have declared it dead, stops (and is started again when the partition heals).
            var (first, firstMs) = await inFlight.WaitAsync(RefusalBound + TimeSpan.FromSeconds(5));
            var (second, secondMs, read, readMs) = (Stopped, 0L, Stopped, 0L);
            try
            {
                using var late = RespSocket.Connect(cluster.Silos.RespPort(leader));
                late.ReadTimeout = RefusalBound;
                (second, secondMs) = Timed(late, "SET", "minority:1", "lost");
                (read, readMs) = Timed(late, "GET", "after:0");
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                // The silo stopped listening: it is stopping itself.
            }
            var electedMs = await elected;
            output.WriteLine($"isolated node {leader}; node {newLeader} leads the majority, elected {electedMs} ms after the partition; first majority write acknowledged {failover} ms after it " +
                $"(refused before: {string.Join(" | ", refused.Distinct().Take(3))})");
            output.WriteLine($"isolated silo: write in flight -> {first.TrimEnd()} after {firstMs} ms; later write -> {second.TrimEnd()} after {secondMs} ms; read -> {read.TrimEnd()} after {readMs} ms");
            Assert.True(await RefusedOrStoppedAsync(cluster, leader, first), $"the write sent to the isolated leader got {first.TrimEnd()} after {firstMs} ms");
            Assert.True(await RefusedOrStoppedAsync(cluster, leader, second), $"a write to the isolated silo got {second.TrimEnd()} after {secondMs} ms");
            Assert.True(await RefusedOrStoppedAsync(cluster, leader, read), $"a linearizable read on the isolated silo got {read.TrimEnd()} after {readMs} ms");

            // Healed, every replica converges on the majority's history; the isolated leader's writes are gone.
            var healedAt = clock.ElapsedMilliseconds;
            cluster.Network.Heal();
            await cluster.Silos.WaitConvergedAsync("default", 3, TimeSpan.FromSeconds(40));
            output.WriteLine($"replicas converged {clock.ElapsedMilliseconds - healedAt} ms after healing");
            var lost = new List<string>();
            var refusedWrites = new Dictionary<string, string> { ["minority:0"] = first, ["minority:1"] = second };
            var seen = refusedWrites.Keys.ToDictionary(k => k, _ => new List<string>());
            for (var node = 1; node <= 3; node++)
            {
                using var reader = RespSocket.Connect(cluster.Silos.RespPort(node));
                Assert.Equal("+OK\r\n", reader.Call("READONLY"));
                for (var i = 0; i < 10; i++)
                {
                    if (reader.Call("GET", $"before:{i}") != "$1\r\n1\r\n")
                    {
                        lost.Add($"node {node} before:{i}");
                    }
                    if (reader.Call("GET", $"after:{i}") != "$8\r\nmajority\r\n")
                    {
                        lost.Add($"node {node} after:{i}");
                    }
                }
                foreach (var (key, values) in seen)
                {
                    values.Add(reader.Call("GET", key).TrimEnd().Replace("\r\n", " ", StringComparison.Ordinal));
                }
            }
            output.WriteLine($"acknowledged writes lost: {lost.Count}");
            foreach (var (key, values) in seen)
            {
                output.WriteLine($"{key} (refused with {refusedWrites[key].Split(' ')[0]}) after healing, nodes 1-3: {string.Join(" | ", values)}");
            }
            output.WriteLine($"network: {cluster.Network.Describe()}");
            Assert.True(lost.Count == 0, $"acknowledged writes missing: {string.Join(", ", lost)}");
            foreach (var (key, values) in seen)
            {
                // TRYAGAIN promises nothing either way (a forwarded write held up by the partition may land after it
                // heals); CLUSTERDOWN means the write was never applied. Either way the replicas agree.
                Assert.True(values.Distinct().Count() == 1, $"replicas disagree on {key}: {string.Join(" | ", values)}");
                if (refusedWrites[key].StartsWith("-CLUSTERDOWN", StringComparison.Ordinal))
                {
                    Assert.Equal("$-1", values[0]);
                }
            }
            major.Dispose();
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task Replicas_agree_after_repeatedly_isolating_a_leader_with_writes_in_flight()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        try
        {
            var keys = new List<string>();
            for (var round = 0; round < 3; round++)
            {
                var leader = await cluster.Silos.LeaderOfAsync("default");
                var majority = cluster.Others(leader).ToList();
                using var old = RespSocket.Connect(cluster.Silos.RespPort(leader));
                old.ReadTimeout = RefusalBound;
                var clock = Stopwatch.StartNew();
                cluster.Isolate(leader);
                // A pipeline of writes the isolated leader may append but can never commit on its own.
                for (var i = 0; i < 5; i++)
                {
                    keys.Add($"r{round}:stale:{i}");
                    old.Command("SET", keys[^1], "stale");
                }
                var replies = Enumerable.Range(0, 5).Select(_ => Timed(old, "_READ_")).ToList();
                await ElectedAsync(cluster, majority, clock);
                using (var major = RespSocket.Connect(cluster.Silos.RespPort(majority[round % 2])))
                {
                    major.ReadTimeout = RefusalBound;
                    keys.Add($"r{round}:majority");
                    await LocalCluster.WaitAsync(() => Task.FromResult(Timed(major, "SET", keys[^1], "ok").Reply == "+OK\r\n"), "a write on the majority side", FailoverBound);
                }
                cluster.Network.Heal();
                await cluster.Silos.WaitConvergedAsync("default", 3, TimeSpan.FromSeconds(40));
                output.WriteLine($"round {round}: isolated node {leader}; its writes answered {string.Join(", ", replies.Select(r => r.Reply.Split(' ')[0].TrimEnd()))}");
            }

            var values = new List<string>[4];
            for (var node = 1; node <= 3; node++)
            {
                using var reader = RespSocket.Connect(cluster.Silos.RespPort(node));
                Assert.Equal("+OK\r\n", reader.Call("READONLY"));
                values[node] = keys.Select(k => $"{k}={reader.Call("GET", k).TrimEnd().Replace("\r\n", " ", StringComparison.Ordinal)}").ToList();
            }
            output.WriteLine($"node 1: {string.Join(", ", values[1])}");
            for (var node = 2; node <= 3; node++)
            {
                Assert.True(values[node].SequenceEqual(values[1]), $"node {node} differs from node 1:\n{string.Join(", ", values[node])}\n{string.Join(", ", values[1])}");
            }
            Assert.All(values[1].Where(v => v.Contains(":majority=", StringComparison.Ordinal)), v => Assert.EndsWith("$2 ok", v, StringComparison.Ordinal));
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task Tenants_stay_isolated_through_every_silo()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        try
        {
            using (var admin = new AdminClient(cluster.Silos.Silo(1)))
            {
                await admin.CreateOrFailAsync("shop", "s3cret");
                await admin.CreateOrFailAsync("bank", "vault");
            }
            await cluster.Silos.WaitConvergedAsync("shop", 3);
            await cluster.Silos.WaitConvergedAsync("bank", 3);
            var tenants = new[] { ("default", ""), ("shop", "s3cret"), ("bank", "vault") };

            // Each tenant writes the same key names, each through a different silo.
            foreach (var (name, password, node) in tenants.Select((t, i) => (t.Item1, t.Item2, i + 1)))
            {
                using var client = Login(cluster, node, name, password);
                Assert.Equal("+OK\r\n", client.Call("SET", "shared", name));
                Assert.Equal("+OK\r\n", client.Call("SET", $"only:{name}", "1"));
            }

            // Every silo, for every tenant, shows that tenant's keys and no other's.
            for (var node = 1; node <= 3; node++)
            {
                foreach (var (name, password) in tenants)
                {
                    using var client = Login(cluster, node, name, password);
                    Assert.Equal($"${name.Length}\r\n{name}\r\n", client.Call("GET", "shared"));
                    Assert.Equal(["only:" + name, "shared"], Elements(client.Call("KEYS", "*")));
                    Assert.Equal(":2\r\n", client.Call("DBSIZE"));
                    foreach (var (other, _) in tenants.Where(t => t.Item1 != name))
                    {
                        Assert.Equal("$-1\r\n", client.Call("GET", $"only:{other}"));
                    }
                }
            }

            // A wrong password for another tenant leaves the connection in its own tenant.
            using var shop = Login(cluster, 2, "shop", "s3cret");
            Assert.StartsWith("-WRONGPASS", shop.Call("AUTH", "bank", "s3cret"), StringComparison.Ordinal);
            Assert.Equal("$4\r\nshop\r\n", shop.Call("GET", "shared"));

            // Cut off from the others, a silo still never serves one tenant's keys to another, until it stops itself
            // because the others declared it dead.
            cluster.Isolate(3);
            foreach (var (name, password) in tenants)
            {
                string[] replies;
                try
                {
                    using var client = Login(cluster, 3, name, password);
                    client.ReadTimeout = RefusalBound;
                    replies = [client.Call("READONLY"), client.Call("GET", "shared"), client.Call("KEYS", "*")];
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
                {
                    Assert.True(await cluster.StopsItselfAsync(3, TimeSpan.FromSeconds(15)), $"node 3 closed {name}'s connection without stopping: {e.Message}");
                    break;
                }
                Assert.Equal("+OK\r\n", replies[0]);
                Assert.Equal($"${name.Length}\r\n{name}\r\n", replies[1]);
                Assert.Equal(["only:" + name, "shared"], Elements(replies[2]));
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    /// <summary>Milliseconds on <paramref name="clock"/> when one of <paramref name="nodes"/> first says (ROLE, its own replica's view) that it leads default.</summary>
    private static async Task<long> ElectedAsync(TestCluster cluster, List<int> nodes, Stopwatch clock)
    {
        var sockets = nodes.Select(n => RespSocket.Connect(cluster.Silos.RespPort(n))).ToList();
        try
        {
            long at = -1;
            await LocalCluster.WaitAsync(() =>
            {
                if (sockets.Any(s => s.Call("ROLE").StartsWith("*3\r\n$6\r\nmaster\r\n", StringComparison.Ordinal)))
                {
                    at = clock.ElapsedMilliseconds;
                    return Task.FromResult(true);
                }
                return Task.FromResult(false);
            }, "a leader of default on the majority side", FailoverBound);
            return at;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static RespSocket Login(TestCluster cluster, int node, string tenant, string password)
    {
        var client = RespSocket.Connect(cluster.Silos.RespPort(node));
        if (tenant != "default")
        {
            Assert.Equal("+OK\r\n", client.Call("AUTH", tenant, password));
        }
        return client;
    }

    /// <summary>The bulk strings of an array reply, sorted.</summary>
    private static List<string> Elements(string reply) =>
        reply.Split("\r\n").Skip(1).Where((_, i) => i % 2 == 1).Order(StringComparer.Ordinal).ToList();

    private static bool IsRefusal(string reply) =>
        reply.StartsWith("-CLUSTERDOWN", StringComparison.Ordinal) || reply.StartsWith("-TRYAGAIN", StringComparison.Ordinal);

    /// <summary>What a command got when the silo had stopped listening.</summary>
    private const string Stopped = "!stopped";

    /// <summary>
    /// A refusal, or no reply from a silo that stops itself: the others declared it dead while it was cut off (a silo
    /// that learns so stops serving, then exits). Either way the command was not acknowledged.
    /// </summary>
    private static async Task<bool> RefusedOrStoppedAsync(TestCluster cluster, int node, string reply) =>
        IsRefusal(reply) || (reply.StartsWith('!') && await cluster.StopsItselfAsync(node, TimeSpan.FromSeconds(15)));

    /// <summary>Sends a command; returns its reply and how long it took, or "!timeout" when no reply came within the socket's read timeout.</summary>
    private static (string Reply, long Ms) Timed(RespSocket socket, params string[] command)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            // "_READ_": the command was sent already (pipelined); only read its reply.
            return (command is ["_READ_"] ? socket.ReadReply() : socket.Call(command), clock.ElapsedMilliseconds);
        }
        catch (IOException e)
        {
            return ($"!timeout ({e.Message})", clock.ElapsedMilliseconds);
        }
    }
}
