using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Replication;

/// <summary>
/// The replicated tenant's durability modes and its one-voter read path: a tenant whose group has one voter (a
/// cluster of one) must cost what the single-silo grain costs (REPLICATION.md, Durability).
/// </summary>
public sealed class ReplicatedTenantDurabilityTests
{
    private static TenantOptions Periodic => new() { Durability = DurabilityMode.Periodic };

    [Fact]
    public async Task APeriodicOneVoterReplicaSyncsNoWriteItselfAndFlushesThemWithinAboutASecond()
    {
        await using var group = new TenantCluster([1], options: Periodic);
        var leader = await group.LeaderAsync();
        var log = group.Replicas[1].Log;
        var syncsAfterElection = log.Syncs;
        // The environment does not sync its commits: the store synced the election's term and vote itself.
        Assert.True(syncsAfterElection > 0, "the vote was not synced by the log store");
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", $"k{i}", "v"]));
        }
        // Neither the appends nor the applies were synced by the write path...
        Assert.Equal(syncsAfterElection, log.Syncs);
        // ...but the flusher puts them on disk within its interval.
        var written = leader.CommittedTransactionId;
        await Eventually.WaitUntilAsync(() => leader.FlushedTransactionId >= written, "the writes to be flushed", TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task APeriodicReplicaOfSeveralVotersSyncsTheEntriesItAcknowledges()
    {
        await using var group = new TenantCluster([1, 2, 3], options: Periodic);
        var leader = await group.LeaderAsync();
        var logs = group.Replicas.Values.Select(r => r.Log).ToArray();
        var before = logs.Sum(l => l.Syncs);
        for (var i = 0; i < 5; i++)
        {
            await RunAsync(leader, ["SET", $"k{i}", "v"]);
        }
        // At least the leader's own appends and a quorum's acknowledgements.
        Assert.True(logs.Sum(l => l.Syncs) >= before + 10, $"{logs.Sum(l => l.Syncs) - before} syncs for 5 writes");
        await group.AssertReplicasConvergeAsync();
    }

    [Fact]
    public async Task AnAlwaysOneVoterReplicaLeavesItsAppendsToTheApplysSyncAndKeepsThemAcrossARestart()
    {
        await using var group = new TenantCluster([1]);
        var leader = await group.LeaderAsync();
        var log = group.Replicas[1].Log;
        var syncsAfterElection = log.Syncs;
        Assert.True(syncsAfterElection > 0, "the vote was not synced by the log store");
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(":" + (i + 1) + "\r\n", await RunAsync(leader, ["INCR", "n"]));
        }
        Assert.Equal(syncsAfterElection, log.Syncs);
        await group.StopAsync(1);
        group.Start(1);
        Assert.Equal("$2\r\n20\r\n", await RunAsync(await group.LeaderAsync(), ["GET", "n"]));
    }

    [Fact]
    public async Task AReplicaOpensItsEnvironmentWithTheWriteMapAsTheSingleSiloGrainDoes()
    {
        await using var group = new TenantCluster([1]);
        var leader = await group.LeaderAsync();
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "k", "v"]));
        // A write map reserves the whole map on disk; without one the file holds only the pages in use.
        var file = new FileInfo(Path.Combine(group.DirectoryOf(1), "data.mdb"));
        Assert.True(file.Length >= new TenantOptions().InitialMapSize, $"data.mdb is {file.Length} bytes");
    }

    [Fact]
    public async Task AOneVoterLeaderServesAReadOnTheCallersThread()
    {
        await using var group = new TenantCluster([1]);
        var leader = await group.LeaderAsync();
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "k", "v"]));
        await Eventually.WaitUntilAsync(() => leader.Group.ReadBarrierAsync().IsCompletedSuccessfully, "the leader's barrier to complete at once");
        var read = Batch(["GET", "k"]);
        Assert.True(leader.ExecuteAsync(read).IsCompletedSuccessfully);
        Assert.Equal("$1\r\nv\r\n", Replies(read));
    }
}
