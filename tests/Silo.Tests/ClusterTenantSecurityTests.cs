using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests;

/// <summary>Tenant secrets and settings in a cluster of silo processes: hidden on every silo, replicated with the tenant.</summary>
public sealed class ClusterTenantSecurityTests(ITestOutputHelper output)
{
    private const string RootPassword = "rootSecret42";

    [Fact]
    public async Task Secrets_stay_hidden_and_a_tenants_settings_outlive_its_leader()
    {
        await using var cluster = await LocalCluster.StartAsync(3, "--requirepass", RootPassword);
        try
        {
            using (var admin = new AdminClient(cluster.Silo(1)))
            {
                await admin.CreateOrFailAsync("ta", "pwa");
                await admin.CreateOrFailAsync("tb", "pwb");
            }
            await cluster.WaitConvergedAsync("tb", 3);
            for (var node = 1; node <= 3; node++)
            {
                using var ta = Login(cluster.RespPort(node), "ta", "pwa");
                Assert.Equal("*0\r\n", ta.Call("CONFIG", "GET", "requirepass"));
                Assert.Equal("*0\r\n", ta.Call("CONFIG", "GET", "dir"));
                Assert.DoesNotContain(RootPassword, ta.Call("CONFIG", "GET", "*"));
                Assert.Equal("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - can't set protected config\r\n",
                    ta.Call("CONFIG", "SET", "maxclients", "1"));
            }

            // Set through different silos; each applies to its own tenant only.
            using (var tb = Login(cluster.RespPort(3), "tb", "pwb"))
            {
                Assert.Equal("+OK\r\n", tb.Call("CONFIG", "SET", "notify-keyspace-events", "KEA"));
            }
            using (var ta = Login(cluster.RespPort(1), "ta", "pwa"))
            {
                Assert.Equal("+OK\r\n", ta.Call("CONFIG", "SET", "notify-keyspace-events", ""));
            }

            // The tenant's leader goes; its setting is in the replicated tenant table, not in that silo's memory.
            var leader = await cluster.LeaderOfAsync("tb");
            await cluster.KillAsync(leader);
            var survivor = Enumerable.Range(1, 3).First(n => n != leader);
            using var subscriber = Login(cluster.RespPort(survivor), "tb", "pwb");
            Assert.Equal("*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n", subscriber.Call("CONFIG", "GET", "notify-keyspace-events"));
            Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$17\r\n__keyspace@0__:kb\r\n:1\r\n", subscriber.Call("SUBSCRIBE", "__keyspace@0__:kb"));
            using var writer = Login(cluster.RespPort(survivor), "tb", "pwb");
            writer.ReadTimeout = TimeSpan.FromSeconds(30);
            // Until the group has a new leader, a write may be refused (TRYAGAIN, CLUSTERDOWN).
            await LocalCluster.WaitAsync(() => Task.FromResult(writer.Call("SET", "kb", "v") == "+OK\r\n"), "a write of tb to succeed", TimeSpan.FromSeconds(30));
            subscriber.ReadTimeout = TimeSpan.FromSeconds(15);
            Assert.Equal("*3\r\n$7\r\nmessage\r\n$17\r\n__keyspace@0__:kb\r\n$3\r\nset\r\n", subscriber.ReadReply());

            // The system group's files hold the tenants' password hashes: the silo's user alone reads them.
            if (!OperatingSystem.IsWindows())
            {
                foreach (var file in Directory.EnumerateFiles(Path.Combine(cluster.DataOf(survivor), "cluster"), "*", SearchOption.AllDirectories))
                {
                    var mode = File.GetUnixFileMode(file);
                    Assert.True((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0, $"{file} has mode {mode}");
                }
            }
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    private static RespSocket Login(int port, string tenant, string password)
    {
        var socket = RespSocket.Connect(port);
        socket.ReadTimeout = TimeSpan.FromSeconds(30);
        Assert.Equal("+OK\r\n", socket.Call("AUTH", tenant, password));
        return socket;
    }
}
