using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using Xunit;

namespace IceFire.Grains.Tests.Replication;

/// <summary>Tenant replicas that compact their logs: catching up and joining through a snapshot of the environment, restarting after one.</summary>
public sealed class TenantSnapshotTests
{
    private const ulong SnapshotEvery = 20;
    private static readonly ulong[] Members = [1, 2, 3];

    private static string[][] Keys(int count) => [.. Enumerable.Range(0, count).Select(i => new[] { "GET", $"k{i}" })];

    /// <summary>
    /// Batches <paramref name="from"/> to <paramref name="to"/>, each applied exactly once even when leadership moves
    /// while it is in flight (a loaded machine misses heartbeats): INCR and RPUSH make a batch applied twice visible.
    /// </summary>
    private static async Task WriteAsync(TenantCluster cluster, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var value = $"v{i}";
            await cluster.WriteOnceAsync(["GET", $"k{i}"], $"${value.Length}\r\n{value}\r\n",
                ["SET", $"k{i}", value], ["INCR", "n"], ["SADD", "set", $"m{i % 7}"], ["RPUSH", "l", $"{i}"]);
        }
    }

    [Fact]
    public async Task AReplicaThatWasDownWhileTheLeaderCompactedCatchesUpThroughASnapshot()
    {
        await using var cluster = new TenantCluster(Members, SnapshotEvery);
        await WriteAsync(cluster, 0, 5);
        await cluster.AssertReplicasConvergeAsync();
        var leader = await cluster.LeaderAsync();
        var down = cluster.Running.First(id => cluster[id] != leader);
        var heldWhenStopped = cluster[down].AppliedIndex;
        await cluster.StopAsync(down);

        await WriteAsync(cluster, 5, 80);
        // Every running replica's log now starts after what the stopped one holds: whichever of them leads when it comes
        // back (leadership may move on a loaded machine), entries alone cannot bring it back.
        await Eventually.WaitUntilAsync(() => cluster.Running.All(id => cluster[id].Group.SnapshotIndex > heldWhenStopped + 10),
            "the running replicas to compact well past the stopped replica");
        var compactedAt = cluster.Running.Min(id => cluster[id].Group.SnapshotIndex);

        cluster.Start(down);
        await cluster.AssertReplicasConvergeAsync(Keys(80));
        Assert.True(cluster[down].Group.SnapshotIndex >= compactedAt, $"replica {down} stores snapshot {cluster[down].Group.SnapshotIndex}, the others compacted at {compactedAt} or later");
        Assert.Contains("$2\r\n80\r\n", TenantCluster.Contents(cluster[down]));
        Assert.Contains("$3\r\nv79\r\n", TenantCluster.Contents(cluster[down], Keys(80)));

        // It goes on replicating normally afterwards.
        await WriteAsync(cluster, 80, 85);
        await cluster.AssertReplicasConvergeAsync(Keys(85));
    }

    [Fact]
    public async Task ANewReplicaAddedAfterCompactionIsBuiltFromTheSnapshot()
    {
        await using var cluster = new TenantCluster(Members, SnapshotEvery);
        await WriteAsync(cluster, 0, 60);
        var leader = await cluster.LeaderAsync();
        await Eventually.WaitUntilAsync(() => leader.Group.SnapshotIndex > 1, "the leader to compact its log");

        cluster.Start(4);
        Assert.Equal(0UL, cluster[4].AppliedIndex);
        await leader.Group.ProposeConfChangeAsync(new ConfChange(ConfChangeType.AddLearner, 4)).WaitAsync(TimeSpan.FromSeconds(20));
        await cluster.AssertReplicasConvergeAsync(Keys(60));
        Assert.True(cluster[4].Group.SnapshotIndex > 0, "the new replica installed a snapshot");
        Assert.True(cluster[4].Group.Config.IsLearner(4));
        Assert.Contains("$2\r\n60\r\n", TenantCluster.Contents(cluster[4]));
    }

    [Fact]
    public async Task ARestartAfterASnapshotNeitherRestoresNorReappliesWhatTheReplicaHolds()
    {
        await using var cluster = new TenantCluster(Members, SnapshotEvery);
        await WriteAsync(cluster, 0, 30);
        await cluster.AssertReplicasConvergeAsync(Keys(30));
        var leader = await cluster.LeaderAsync();
        var follower = cluster.Running.First(id => cluster[id] != leader);
        await Eventually.WaitUntilAsync(() => cluster[follower].Group.SnapshotIndex > 0, "the follower to compact its own log");
        // The test tells a restored image from a kept state only if entries were applied after the snapshot.
        var written = 30;
        while (cluster[follower].AppliedIndex == cluster[follower].Group.SnapshotIndex)
        {
            await WriteAsync(cluster, written, written + 1);
            written++;
            await cluster.AssertReplicasConvergeAsync();
        }
        var applied = cluster[follower].AppliedIndex;
        Assert.True(applied > cluster[follower].Group.SnapshotIndex);
        await cluster.StopAsync(follower);

        cluster.Start(follower);
        // The log store reported the applied index kept with the data: the group starts there, not at the snapshot.
        Assert.Equal(applied, cluster[follower].Group.AppliedIndex);
        Assert.Equal(applied, cluster[follower].AppliedIndex);
        await WriteAsync(cluster, written, written + 5);
        await cluster.AssertReplicasConvergeAsync(Keys(written + 5));
        Assert.Contains($"${(written + 5).ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{written + 5}\r\n", TenantCluster.Contents(cluster[follower]));
    }
}
