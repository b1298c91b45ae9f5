using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Replication;

/// <summary>Blocking commands on the leader of a replicated tenant: served through the log, timed out, unblocked, failed.</summary>
public sealed class ReplicatedTenantBlockingTests : ReplicaGroupTestBase
{
    private static async Task<(Task Waiter, CommandBatch Batch)> BlockAsync(ReplicatedTenant tenant, params string[] command)
    {
        var batch = Batch(command);
        var waiter = tenant.ExecuteAsync(batch).AsTask();
        await Eventually.WaitUntilAsync(() => batch.IsBlocked || waiter.IsCompleted, $"{command[0]} to block");
        Assert.False(waiter.IsCompleted, $"{command[0]} answered at once: {Replies(batch)}");
        return (waiter, batch);
    }

    [Fact]
    public async Task APushProposedLaterServesTheBlockedClientsInArrivalOrderOnEveryReplica()
    {
        var leader = await Group.LeaderAsync();
        var (first, firstBatch) = await BlockAsync(leader, "BLPOP", "l", "other", "0");
        var (second, secondBatch) = await BlockAsync(leader, "BLMOVE", "l", "dst", "LEFT", "RIGHT", "0");

        Assert.Equal(":2\r\n", await RunAsync(leader, ["RPUSH", "l", "a", "b"]));
        await first.WaitAsync(TimeSpan.FromSeconds(20));
        await second.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("*2\r\n$1\r\nl\r\n$1\r\na\r\n", Replies(firstBatch));
        Assert.Equal("$1\r\nb\r\n", Replies(secondBatch));
        Assert.False(firstBatch.IsBlocked);

        await Group.AssertReplicasConvergeAsync();
        foreach (var replica in Group.Replicas.Values)
        {
            var batch = Batch(["LLEN", "l"], ["LRANGE", "dst", "0", "-1"]);
            replica.Tenant.ExecuteLocalReads(batch);
            Assert.Equal(":0\r\n*1\r\n$1\r\nb\r\n", Replies(batch));
        }
    }

    [Fact]
    public async Task AServeThatFindsTheKeyEmptiedAgainKeepsTheClientWaitingInItsPlace()
    {
        var leader = await Group.LeaderAsync();
        var (first, firstBatch) = await BlockAsync(leader, "BLPOP", "l", "0");
        var (second, secondBatch) = await BlockAsync(leader, "BLPOP", "l", "0");
        // The push makes the key ready, the pop in the same entry empties it before the serve runs.
        Assert.Equal(":1\r\n$1\r\nx\r\n", await RunAsync(leader, ["RPUSH", "l", "x"], ["LPOP", "l"]));
        // The serve was proposed before that reply, so this write comes after it: the client waits again, first in line.
        Assert.Equal(":0\r\n", await RunAsync(leader, ["DEL", "l"]));
        Assert.False(first.IsCompleted);

        Assert.Equal(":1\r\n", await RunAsync(leader, ["RPUSH", "l", "y"]));
        await first.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("*2\r\n$1\r\nl\r\n$1\r\ny\r\n", Replies(firstBatch));
        Assert.False(second.IsCompleted);
        Assert.Equal(":1\r\n", await RunAsync(leader, ["RPUSH", "l", "z"]));
        await second.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("*2\r\n$1\r\nl\r\n$1\r\nz\r\n", Replies(secondBatch));
        await Group.AssertReplicasConvergeAsync();
    }

    [Fact]
    public async Task ATimeoutAnswersNullAndLeavesLaterPushesAlone()
    {
        var leader = await Group.LeaderAsync();
        var (waiter, batch) = await BlockAsync(leader, "BZPOPMIN", "z", "0.2");
        await waiter.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("*-1\r\n", Replies(batch));
        Assert.Equal(":1\r\n", await RunAsync(leader, ["ZADD", "z", "1", "m"]));
        Assert.Equal(":1\r\n", await RunAsync(leader, ["ZCARD", "z"]));
    }

    [Fact]
    public async Task ClientUnblockEndsTheWaitExactlyOnce()
    {
        var leader = await Group.LeaderAsync();
        var (waiter, batch) = await BlockAsync(leader, "BRPOP", "q", "0");
        Assert.True(await leader.UnblockAsync(batch, UnblockReason.Error));
        await waiter.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", Replies(batch));
        Assert.False(await leader.UnblockAsync(batch, UnblockReason.Timeout));
        Assert.Equal(":1\r\n", await RunAsync(leader, ["RPUSH", "q", "v"]));
        Assert.Equal(":1\r\n", await RunAsync(leader, ["LLEN", "q"]));

        var (timedOut, second) = await BlockAsync(leader, "BLPOP", "q2", "0");
        Assert.True(await leader.UnblockAsync(second, UnblockReason.Timeout));
        await timedOut.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("*-1\r\n", Replies(second));
    }

    [Fact]
    public async Task ABlockedClientFailsPromptlyWhenItsLeaderStepsDown()
    {
        var leader = await Group.LeaderAsync();
        var (waiter, batch) = await BlockAsync(leader, "BLPOP", "l", "0");
        var leaderId = Group.IdOf(leader);
        var next = await Group.TransferAsync(leader, Group.Replicas.Keys.First(id => id != leaderId));

        var error = await Assert.ThrowsAsync<RaftProposalException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ProposeStatus.NotLeader, error.Status);
        Assert.False(batch.IsBlocked);
        // Nobody waits on the new leader: the element stays.
        Assert.Equal(":1\r\n", await RunAsync(next, ["LPUSH", "l", "a"]));
        Assert.Equal(":1\r\n", await RunAsync(next, ["LLEN", "l"]));
        await Group.AssertReplicasConvergeAsync();
    }
}
