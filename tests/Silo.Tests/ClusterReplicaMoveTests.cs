using System.Globalization;
using System.Text.Json;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests;

/// <summary>A silo that stays down: its replicas are rebuilt on a live silo, and it lets them go when it returns.</summary>
public sealed class ClusterReplicaMoveTests(ITestOutputHelper output)
{
    private static List<int> Replicas(JsonElement tenant) =>
        tenant.GetProperty("replicas").EnumerateArray().Select(e => int.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToList();

    private static async Task<string?> MemberStateAsync(LocalCluster cluster, int via, int member)
    {
        using var view = await cluster.ViewAsync(via);
        return view.RootElement.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("id").GetString() == member.ToString(CultureInfo.InvariantCulture))
            .Select(m => m.GetProperty("state").GetString())
            .SingleOrDefault();
    }

    [Fact]
    public async Task A_silo_that_stays_down_has_its_replicas_rebuilt_on_another()
    {
        await using var cluster = await LocalCluster.StartAsync(4, "--replica-move-after", "2s", "--snapshot-every", "50");
        try
        {
            var placed = Replicas((await cluster.TenantViewAsync("default"))!.Value);
            Assert.Equal(3, placed.Count);
            var spare = Enumerable.Range(1, 4).Except(placed).Single();
            var leader = await cluster.LeaderOfAsync("default");
            var victim = placed.First(n => n != leader);

            // Written through the silo without a replica: forwarded to the leader.
            using (var writer = RespSocket.Connect(cluster.RespPort(spare)))
            {
                for (var i = 0; i < 200; i++)
                {
                    Assert.Equal("+OK\r\n", writer.Call("SET", $"k{i}", $"v{i}"));
                }
            }

            await cluster.KillAsync(victim);
            var expected = placed.Where(n => n != victim).Append(spare).Order().ToList();
            await LocalCluster.WaitAsync(
                async () => await cluster.TenantViewAsync("default") is { } t && Replicas(t).Order().SequenceEqual(expected),
                $"default's replica on node {victim} to move to node {spare}", TimeSpan.FromSeconds(30));
            await cluster.WaitConvergedAsync("default", 3, TimeSpan.FromSeconds(30));
            Assert.Equal("down", await MemberStateAsync(cluster, leader, victim));

            // The new replica holds everything written before the move, and writes carry on.
            using (var reader = RespSocket.Connect(cluster.RespPort(spare)))
            {
                Assert.Equal("+OK\r\n", reader.Call("READONLY"));
                for (var i = 0; i < 200; i++)
                {
                    Assert.Equal($"$" + $"v{i}".Length + $"\r\nv{i}\r\n", reader.Call("GET", $"k{i}"));
                }
                Assert.Equal("+OK\r\n", reader.Call("READWRITE"));
                Assert.Equal("+OK\r\n", reader.Call("SET", "after", "move"));
            }

            // The leader's log was compacted long before the move, so the new replica was built from a snapshot image.
            var images = Path.Combine(cluster.DataOf(spare), "tenants", "default.g100", "snapshots");
            Assert.True(Directory.Exists(images) && Directory.EnumerateFiles(images, "*", SearchOption.AllDirectories).Any(),
                $"node {spare} holds no snapshot image in {images}");

            // Back again, the silo is up and lets the moved replica go.
            await cluster.StartNodeAsync(victim, "--replica-move-after", "2s", "--snapshot-every", "50");
            var directory = Path.Combine(cluster.DataOf(victim), "tenants", "default.g100");
            await LocalCluster.WaitAsync(() => Task.FromResult(!Directory.Exists(directory)), $"node {victim} to delete its moved replica", TimeSpan.FromSeconds(30));
            await LocalCluster.WaitAsync(async () => await MemberStateAsync(cluster, spare, victim) == "up", $"node {victim} to be up", TimeSpan.FromSeconds(30));
            Assert.Equal(expected, Replicas((await cluster.TenantViewAsync("default"))!.Value).Order().ToList());
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }
}
