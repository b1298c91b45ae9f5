using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Replication;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Replication;

/// <summary>WATCH, UNWATCH and EXEC under WATCH on the leader of a replicated tenant, and across a change of leader.</summary>
public sealed class ReplicatedTenantWatchTests : ReplicaGroupTestBase
{
    private static Task<string> WatchAsync(ReplicatedTenant tenant, WatchSet watches, params string[] keys) =>
        RunWithAsync(tenant, watches, ["WATCH", .. keys]);

    private static async Task<string> RunWithAsync(ReplicatedTenant tenant, WatchSet watches, params string[][] commands)
    {
        var batch = Batch(commands);
        batch.Watches = watches;
        await tenant.ExecuteAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        return Replies(batch);
    }

    /// <summary>MULTI ... EXEC as the gateway sends it under WATCH: one batch that starts with the check.</summary>
    private static async Task<string> ExecAsync(ReplicatedTenant tenant, WatchSet watches, params string[][] queued)
    {
        var batch = Batch(queued);
        batch.BeginExec(queued.Length, watches);
        batch.IsTransaction = true;
        await tenant.ExecuteAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        return Replies(batch);
    }

    [Fact]
    public async Task ExecRunsWhenNoWatchedKeyChangedAndAnswersNullWhenOneDid()
    {
        var leader = await Group.LeaderAsync();
        var watches = new WatchSet();

        Assert.Equal("+OK\r\n", await WatchAsync(leader, watches, "k", "other"));
        Assert.Equal("*2\r\n+OK\r\n:1\r\n", await ExecAsync(leader, watches, ["SET", "k", "1"], ["INCR", "n"]));
        Assert.False(watches.Failed);
        Assert.Empty(watches.Keys);

        Assert.Equal("+OK\r\n", await WatchAsync(leader, watches, "k"));
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "k", "2"]));
        Assert.Equal("*-1\r\n", await ExecAsync(leader, watches, ["SET", "k", "3"]));
        Assert.True(watches.Failed);
        Assert.Equal("$1\r\n2\r\n", await RunAsync(leader, ["GET", "k"]));

        // A change to a key nobody watches, and a watch dropped by UNWATCH, do not fail it.
        Assert.Equal("+OK\r\n", await WatchAsync(leader, watches, "k"));
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "unwatched", "x"]));
        Assert.Equal("*1\r\n:2\r\n", await ExecAsync(leader, watches, ["INCR", "n"]));
        Assert.Equal("+OK\r\n+OK\r\n", await RunWithAsync(leader, watches, ["WATCH", "n"], ["UNWATCH"]));
        Assert.Equal(":3\r\n", await RunAsync(leader, ["INCR", "n"]));
        Assert.Equal("*1\r\n:4\r\n", await ExecAsync(leader, watches, ["INCR", "n"]));

        await Group.AssertReplicasConvergeAsync();
        foreach (var replica in Group.Replicas.Values)
        {
            Assert.Contains("$1\r\n4\r\n", Contents(replica.Tenant));
        }
    }

    [Fact]
    public async Task WatchRunsOnlyOnTheLeader()
    {
        var leader = await Group.LeaderAsync();
        var follower = Group.Replicas.Values.First(r => r.Tenant != leader).Tenant;
        var error = await Assert.ThrowsAsync<RaftProposalException>(() => WatchAsync(follower, new WatchSet(), "k"));
        Assert.Equal(ProposeStatus.NotLeader, error.Status);
    }

    [Fact]
    public async Task ExecUnderWatchWaitsForWritesProposedBeforeItAndSeesThem()
    {
        var leader = await Group.LeaderAsync();
        var watches = new WatchSet();
        Assert.Equal("+OK\r\n", await WatchAsync(leader, watches, "n"));
        // Writes in flight when EXEC arrives are applied before it is checked: one of them touches the key.
        var writes = Enumerable.Range(0, 20).Select(_ => RunAsync(leader, ["INCR", "n"])).ToList();
        var exec = ExecAsync(leader, watches, ["SET", "n", "0"]);
        await Task.WhenAll(writes);
        Assert.Equal("*-1\r\n", await exec);
        Assert.Equal("$2\r\n20\r\n", await RunAsync(leader, ["GET", "n"]));
    }

    [Fact]
    public async Task WatchesMadeUnderAnEarlierLeaderFailTheirExec()
    {
        var first = await Group.LeaderAsync();
        var onOther = new WatchSet();
        var onSame = new WatchSet();
        Assert.Equal("+OK\r\n", await WatchAsync(first, onOther, "k"));
        Assert.Equal("+OK\r\n", await WatchAsync(first, onSame, "k"));

        var firstId = Group.IdOf(first);
        var second = await TransferAsync(first, Group.Replicas.Keys.First(id => id != firstId));
        Assert.Equal("*-1\r\n", await ExecAsync(second, onOther, ["SET", "k", "other"]));

        var again = await TransferAsync(second, firstId);
        Assert.Same(first, again);
        Assert.Equal("*-1\r\n", await ExecAsync(again, onSame, ["SET", "k", "same"]));
        Assert.Equal("$-1\r\n", await RunAsync(again, ["GET", "k"]));

        // A watch made under the current leader works as before.
        var fresh = new WatchSet();
        Assert.Equal("+OK\r\n", await WatchAsync(again, fresh, "k"));
        Assert.Equal("*1\r\n+OK\r\n", await ExecAsync(again, fresh, ["SET", "k", "fresh"]));
    }

    private Task<ReplicatedTenant> TransferAsync(ReplicatedTenant from, ulong to) => Group.TransferAsync(from, to);
}
