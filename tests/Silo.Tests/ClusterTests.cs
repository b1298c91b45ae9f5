using System.Globalization;
using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests;

/// <summary>Silo processes forming a cluster: any silo serves any tenant; membership, roles and refusals.</summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_silos_serve_every_tenant_through_every_silo()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        try
        {
            using var one = RespSocket.Connect(cluster.RespPort(1));
            using var two = RespSocket.Connect(cluster.RespPort(2));
            using var three = RespSocket.Connect(cluster.RespPort(3));
            Assert.Equal("+OK\r\n", one.Call("SET", "k", "v1"));
            Assert.Equal("$2\r\nv1\r\n", two.Call("GET", "k"));
            Assert.Equal("$2\r\nv1\r\n", three.Call("GET", "k"));
            Assert.Equal(":1\r\n", one.Call("INCR", "c"));
            Assert.Equal(":2\r\n", two.Call("INCR", "c"));
            Assert.Equal(":3\r\n", three.Call("INCR", "c"));

            // A transaction through each silo runs as one unit on the leader.
            foreach (var (socket, first) in new[] { (one, 4), (two, 6), (three, 8) })
            {
                Assert.Equal("+OK\r\n", socket.Call("MULTI"));
                Assert.Equal("+QUEUED\r\n", socket.Call("INCR", "c"));
                Assert.Equal("+QUEUED\r\n", socket.Call("INCR", "c"));
                Assert.Equal($"*2\r\n:{first}\r\n:{first + 1}\r\n", socket.Call("EXEC"));
            }

            // Exactly one silo is the tenant's master; the others name it.
            var roles = new[] { one, two, three }.Select(s => s.Call("ROLE")).ToList();
            Assert.Single(roles, r => r.StartsWith("*3\r\n$6\r\nmaster\r\n", StringComparison.Ordinal));
            var leader = await cluster.LeaderOfAsync("default");
            Assert.StartsWith("*3\r\n$6\r\nmaster\r\n", roles[leader - 1], StringComparison.Ordinal);
            foreach (var follower in Enumerable.Range(1, 3).Where(n => n != leader))
            {
                Assert.Contains($":{cluster.RespPort(leader)}\r\n$9\r\nconnected\r\n", roles[follower - 1], StringComparison.Ordinal);
            }
            // A replica counts as connected once the leader has heard from it recently: wait for both.
            var info = "";
            await Eventually.WaitUntilAsync(async () =>
            {
                info = await RedisCli.RunAsync(cluster.RespPort(leader), "INFO", "replication");
                return info.Contains("connected_slaves:2", StringComparison.Ordinal);
            }, "the leader's INFO replication to count 2 connected replicas", detail: () => info);
            Assert.Contains("role:master", info, StringComparison.Ordinal);

            // READONLY reads the silo's own replica: it catches up to every acknowledged write.
            var followerNode = Enumerable.Range(1, 3).First(n => n != leader);
            using var reader = RespSocket.Connect(cluster.RespPort(followerNode));
            Assert.Equal("+OK\r\n", reader.Call("READONLY"));
            await LocalCluster.WaitAsync(() => Task.FromResult(reader.Call("GET", "c") == "$1\r\n9\r\n"), "the follower's replica to apply every write", TimeSpan.FromSeconds(10));
            Assert.Equal("+OK\r\n", reader.Call("READWRITE"));

            // WATCH through a silo that does not lead: the leader checks the keys at EXEC.
            Assert.Equal("+OK\r\n", two.Call("WATCH", "w"));
            Assert.Equal("+OK\r\n", two.Call("MULTI"));
            Assert.Equal("+QUEUED\r\n", two.Call("SET", "w", "mine"));
            Assert.Equal("*1\r\n+OK\r\n", two.Call("EXEC"));
            Assert.Equal("+OK\r\n", two.Call("WATCH", "w"));
            Assert.Equal("+OK\r\n", three.Call("SET", "w", "theirs"));
            Assert.Equal("+OK\r\n", two.Call("MULTI"));
            Assert.Equal("+QUEUED\r\n", two.Call("SET", "w", "mine again"));
            Assert.Equal("*-1\r\n", two.Call("EXEC"));
            Assert.Equal("$6\r\ntheirs\r\n", one.Call("GET", "w"));

            // A blocked pop through one silo is served by a push through another.
            using (var blocked = RespSocket.Connect(cluster.RespPort(3)))
            {
                blocked.Command("BLPOP", "queue", "10");
                await LocalCluster.WaitAsync(
                    async () => (await RedisCli.RunAsync(cluster.RespPort(3), "INFO", "clients")).Contains("blocked_clients:1", StringComparison.Ordinal),
                    "the pop to block", TimeSpan.FromSeconds(10));
                Assert.Equal(":1\r\n", one.Call("LPUSH", "queue", "job"));
                Assert.Equal("*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n", blocked.ReadReply());
            }

            // PUBLISH through one silo reaches subscribers connected to the others, in the order published; as in Redis
            // Cluster, it counts the receivers on the silo it was sent to.
            using var sub1 = RespSocket.Connect(cluster.RespPort(1));
            using var sub2 = RespSocket.Connect(cluster.RespPort(2));
            using var sub3 = RespSocket.Connect(cluster.RespPort(3));
            Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", sub1.Call("SUBSCRIBE", "news"));
            Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", sub2.Call("SUBSCRIBE", "news"));
            Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n", sub3.Call("PSUBSCRIBE", "n*"));
            var published = new StringBuilder();
            for (var i = 0; i < 200; i++)
            {
                published.Append($"*3\r\n$7\r\nPUBLISH\r\n$4\r\nnews\r\n${i.ToString(CultureInfo.InvariantCulture).Length}\r\n{i}\r\n");
            }
            one.Send(published.ToString());
            for (var i = 0; i < 200; i++)
            {
                Assert.Equal(":1\r\n", one.ReadReply());
            }
            for (var i = 0; i < 200; i++)
            {
                var text = i.ToString(CultureInfo.InvariantCulture);
                Assert.Equal($"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n${text.Length}\r\n{text}\r\n", sub1.ReadReply());
                Assert.Equal($"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n${text.Length}\r\n{text}\r\n", sub2.ReadReply());
                Assert.Equal($"*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n${text.Length}\r\n{text}\r\n", sub3.ReadReply());
            }

            // A tenant created through one silo is served through another, isolated from default.
            using var admin = new AdminClient(cluster.Silo(2));
            await admin.CreateOrFailAsync("shop", "s3cret");
            await cluster.WaitConvergedAsync("shop", 3);
            using var shop = RespSocket.Connect(cluster.RespPort(3));
            Assert.Equal("+OK\r\n", shop.Call("AUTH", "shop", "s3cret"));
            Assert.Equal("$-1\r\n", shop.Call("GET", "k"));
            Assert.Equal("+OK\r\n", shop.Call("SET", "k", "shop-value"));
            Assert.Equal("$2\r\nv1\r\n", one.Call("GET", "k"));
            using var shopOne = RespSocket.Connect(cluster.RespPort(1));
            Assert.StartsWith("-WRONGPASS", shopOne.Call("AUTH", "shop", "wrong"), StringComparison.Ordinal);
            Assert.Equal("+OK\r\n", shopOne.Call("AUTH", "shop", "s3cret"));
            Assert.Equal("$10\r\nshop-value\r\n", shopOne.Call("GET", "k"));

            // Dropping it through a third silo ends it everywhere.
            using var admin3 = new AdminClient(cluster.Silo(3));
            var (dropped, body) = await admin3.DropAsync("shop");
            Assert.True(dropped == System.Net.HttpStatusCode.NoContent, body);
            using var late = RespSocket.Connect(cluster.RespPort(2));
            Assert.StartsWith("-WRONGPASS", late.Call("AUTH", "shop", "s3cret"), StringComparison.Ordinal);
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    [Fact]
    public async Task Silos_find_each_other_by_node_not_by_silo_name()
    {
        // Every silo carries the same Orleans name: forwarded writes, reads and tenant changes still reach the right
        // silo, which other silos find by the node id in its membership row.
        await using var cluster = await LocalCluster.StartAsync(3, "--silo-name", "icefire");
        var leader = await cluster.LeaderOfAsync("default");
        foreach (var node in Enumerable.Range(1, 3))
        {
            using var socket = RespSocket.Connect(cluster.RespPort(node));
            Assert.Equal("+OK\r\n", socket.Call("SET", $"k{node}", $"v{node}"));
            Assert.Equal(":" + node + "\r\n", socket.Call("INCR", "through-every-silo"));
        }
        foreach (var node in Enumerable.Range(1, 3).Where(n => n != leader))
        {
            using var socket = RespSocket.Connect(cluster.RespPort(node));
            Assert.Equal("$2\r\nv1\r\n", socket.Call("GET", "k1"));
            Assert.Equal("$2\r\nv3\r\n", socket.Call("GET", "k3"));
        }
    }

    [Fact]
    public async Task A_stopped_cluster_starts_again_one_silo_at_a_time()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        using (var socket = RespSocket.Connect(cluster.RespPort(2)))
        {
            Assert.Equal("+OK\r\n", socket.Call("SET", "k", "v"));
        }
        foreach (var node in Enumerable.Range(1, 3))
        {
            cluster.Silo(node).Terminate();
            Assert.Equal(0, await cluster.Silo(node).WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // Alone, the first silo cannot reach a majority of the system group: it waits and says so, and does not give up.
        var first = await cluster.LaunchNodeAsync(1);
        await LocalCluster.WaitAsync(() => Task.FromResult(first.StandardOutput.Contains("waiting for a majority of the system group", StringComparison.Ordinal)),
            "the lone silo says what it waits for", TimeSpan.FromSeconds(60));
        Assert.True(cluster.IsRunning(1), $"the lone silo exited:\n{first.StandardError}");
        await cluster.StartNodeAsync(2);
        await cluster.StartNodeAsync(3);
        await first.WaitReadyAsync();
        using (var socket = RespSocket.Connect(cluster.RespPort(1)))
        {
            Assert.Equal("$1\r\nv\r\n", socket.Call("GET", "k"));
        }
    }

    [Fact]
    public async Task A_silo_does_not_join_the_seeds_of_another_cluster()
    {
        await using var first = await LocalCluster.StartAsync(1);
        await using var second = await LocalCluster.StartAsync(1);
        await second.Silo(1).DisposeAsync();
        // The second cluster's silo, restarted with the first cluster's seed, refuses to mix the two.
        var args = second.ArgumentsOf(1).Where(a => a != "--bootstrap").Concat(["--seeds", $"127.0.0.1:{first.ClusterPort(1)}"]).ToArray();
        await using var silo = await SiloProcess.StartAsync(second.DataOf(1), waitReady: false, args);
        var code = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains("refusing to join another cluster", silo.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_silo_with_a_members_id_is_refused()
    {
        await using var cluster = await LocalCluster.StartAsync(1);
        using var dir = new TempDirectory();
        // Same node id as the running member, another (empty) data directory and other ports.
        string[] args = ["--node-id", "1", "--resp-port", "0", "--cluster-port", "0", "--seeds", $"127.0.0.1:{cluster.ClusterPort(1)}"];
        await using var silo = await SiloProcess.StartAsync(dir.Path, waitReady: false, args);
        var code = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Contains("node id 1 is already a member", silo.StandardError, StringComparison.Ordinal);
    }
}
