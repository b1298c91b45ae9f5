using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Replication;

/// <summary>Writes, reads and restarts on three replicas of one tenant (<see cref="TenantCluster"/>).</summary>
public sealed class ReplicatedTenantTests : ReplicaGroupTestBase
{
    private Task<ReplicatedTenant> LeaderAsync(ulong except = 0) => Group.LeaderAsync(except);

    private Task<string> RunOnLeaderAsync(params string[][] commands) => Group.RunOnLeaderAsync(commands);

    private Task AssertReplicasConvergeAsync() => Group.AssertReplicasConvergeAsync();

    [Fact]
    public async Task WritesThroughTheLeaderAreAnsweredAndEveryReplicaHoldsTheSameBytes()
    {
        var leader = await LeaderAsync();
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "s", "v"]));
        Assert.Equal(":1\r\n:2\r\n$1\r\n2\r\n", await RunAsync(leader, ["INCR", "n"], ["INCR", "n"], ["GET", "n"]));
        Assert.Equal(":5\r\n", await RunAsync(leader, ["SADD", "set", "a", "b", "c", "d", "e"]));
        // SPOP draws at random: every replica must draw the same.
        Assert.StartsWith("*2\r\n", await RunAsync(leader, ["SPOP", "set", "2"]));
        Assert.Equal(":3\r\n", await RunAsync(leader, ["RPUSH", "l", "x", "y", "z"]));
        Assert.Equal(":1\r\n", await RunAsync(leader, ["PEXPIRE", "s", "60000"]));
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "e", "v", "PX", "100000"]));
        Assert.Equal(":2\r\n", await RunAsync(leader, ["ZADD", "z", "1.5", "a", "inf", "b"]));
        Assert.Equal("$1\r\nv\r\n", await RunAsync(leader, ["GET", "s"]));

        await AssertReplicasConvergeAsync();
    }

    [Fact]
    public async Task AFollowerRefusesWritesAndNamesTheLeader()
    {
        var leader = await LeaderAsync();
        var follower = Group.Replicas.Values.First(r => r.Tenant != leader).Tenant;
        await Eventually.WaitUntilAsync(() => follower.Group.Leader == leader.Group.Leader, "the follower to know its leader");
        var error = await Assert.ThrowsAsync<RaftProposalException>(async () => await follower.ExecuteAsync(Batch(["SET", "k", "v"])));
        Assert.Equal(ProposeStatus.NotLeader, error.Status);
        Assert.Equal(leader.Group.Leader, error.LeaderHint);
    }

    [Fact]
    public async Task ConcurrentClientsLoseNoIncrement()
    {
        var leader = await LeaderAsync();
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await RunOnLeaderAsync(["INCR", "n"]);
            }
        }));
        await Task.WhenAll(clients);
        Assert.Equal("$3\r\n400\r\n", await RunOnLeaderAsync(["GET", "n"]));
        await AssertReplicasConvergeAsync();
    }

    [Fact]
    public async Task ARestartedReplicaAppliesNothingTwiceAndALostLeaderIsReplaced()
    {
        var leader = await LeaderAsync();
        for (var i = 0; i < 20; i++)
        {
            await RunAsync(leader, ["INCR", "n"]);
        }
        var follower = Group.Replicas.First(r => r.Value.Tenant != leader).Key;
        await Group.StopAsync(follower);
        for (var i = 0; i < 20; i++)
        {
            await RunAsync(leader, ["INCR", "n"]);
        }
        Group.Start(follower);
        await AssertReplicasConvergeAsync();
        Assert.Equal("$2\r\n40\r\n", await RunAsync(await LeaderAsync(), ["GET", "n"]));

        var old = Group.Replicas.First(r => r.Value.Tenant == leader).Key;
        await Group.StopAsync(old);
        var next = await LeaderAsync(except: old);
        Assert.Equal(":41\r\n", await RunAsync(next, ["INCR", "n"]));
        Group.Start(old);
        await AssertReplicasConvergeAsync();
        foreach (var replica in Group.Replicas.Values)
        {
            Assert.Contains("$2\r\n41\r\n", Contents(replica.Tenant));
        }
    }

}
