using System.Collections.Concurrent;
using System.Net;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using IceFire.Raft.Transport;
using Xunit;

namespace IceFire.Grains.Tests.Replication;

/// <summary>Three replicas of one tenant on loopback: real TCP between Raft hosts, real LMDB environments.</summary>
public sealed class ReplicatedTenantTests : IAsyncLifetime, IDisposable
{
    private const ulong Group = 7;
    private static readonly ulong[] Members = [1, 2, 3];
    private readonly TempDirectory _temp = new();
    private readonly ConcurrentDictionary<ulong, Replica> _replicas = new();
    private readonly ConcurrentDictionary<ulong, IPEndPoint> _endpoints = new();

    public Task InitializeAsync()
    {
        foreach (var id in Members)
        {
            Start(id);
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var id in _replicas.Keys.ToList())
        {
            await StopAsync(id);
        }
    }

    public void Dispose() => _temp.Dispose();

    private void Start(ulong id)
    {
        RaftHost? host = null;
        var transport = new TcpTransport(id, new IPEndPoint(IPAddress.Loopback, 0), (g, m) => host!.Deliver(g, m));
        transport.PeerDisconnected += peer => host?.ReportUnreachable(peer);
        transport.Start();
        // Tenant replicas take no snapshots yet, so their logs are never compacted.
        host = new RaftHost(new RaftHostOptions { NodeId = id, TickInterval = TimeSpan.FromMilliseconds(20), SnapshotEveryEntries = ulong.MaxValue }, transport);
        var tenant = ReplicatedTenant.Open("t", _temp.Sub($"n{id}"), new TenantOptions(), id);
        var group = host.AddGroup(Group, new RaftOptions { ElectionTicks = 50, HeartbeatTicks = 5 }, tenant.OpenLog(Group, new ConfState(Members, [])), tenant);
        tenant.Attach(group);
        _endpoints[id] = transport.LocalEndPoint;
        _replicas[id] = new Replica(transport, host, tenant);
        foreach (var (other, endpoint) in _endpoints)
        {
            transport.SetPeer(other, endpoint);
            if (_replicas.TryGetValue(other, out var o))
            {
                o.Transport.SetPeer(id, transport.LocalEndPoint);
            }
        }
        host.Start();
    }

    private async Task StopAsync(ulong id)
    {
        if (!_replicas.TryRemove(id, out var replica))
        {
            return;
        }
        await replica.Transport.DisposeAsync();
        await replica.Host.DisposeAsync();
        replica.Tenant.Dispose();
    }

    private async Task<ReplicatedTenant> LeaderAsync(ulong except = 0)
    {
        ReplicatedTenant? leader = null;
        await Eventually.WaitUntilAsync(() =>
        {
            leader = _replicas.Where(r => r.Key != except && r.Value.Tenant.Group.Role == RaftRole.Leader)
                .OrderByDescending(r => r.Value.Tenant.Group.Term).Select(r => r.Value.Tenant).FirstOrDefault();
            return leader is not null;
        }, "a leader", TimeSpan.FromSeconds(20));
        return leader!;
    }

    private static CommandBatch Batch(params string[][] commands)
    {
        var batch = new CommandBatch(new RecordingReplyWriter());
        foreach (var command in commands)
        {
            batch.Add(CommandTable.Find(Encoding.UTF8.GetBytes(command[0]))!, 0,
                command.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a)).ToArray());
        }
        return batch;
    }

    private static async Task<string> RunAsync(ReplicatedTenant tenant, params string[][] commands)
    {
        var batch = Batch(commands);
        await tenant.ExecuteAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        return ((RecordingReplyWriter)batch.Replies).Text;
    }

    /// <summary>
    /// Runs on whichever replica leads; a refusal (nothing was proposed) moves on to the new leader, while a write whose
    /// outcome is unknown fails the test, as a client could not retry it blindly either.
    /// </summary>
    private async Task<string> RunOnLeaderAsync(params string[][] commands)
    {
        while (true)
        {
            var leader = await LeaderAsync();
            try
            {
                return await RunAsync(leader, commands);
            }
            catch (RaftProposalException e) when (e.Status == ProposeStatus.NotLeader)
            {
            }
        }
    }

    /// <summary>What a replica holds, read locally (no leader involved).</summary>
    private static string Contents(ReplicatedTenant tenant)
    {
        var batch = Batch(["GET", "s"], ["GET", "n"], ["SMEMBERS", "set"], ["LRANGE", "l", "0", "-1"], ["PTTL", "e"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["DBSIZE"]);
        tenant.ExecuteLocalReads(batch);
        return ((RecordingReplyWriter)batch.Replies).Text;
    }

    private async Task AssertReplicasConvergeAsync()
    {
        var leader = await LeaderAsync();
        await Eventually.WaitUntilAsync(
            () => _replicas.Values.All(r => r.Tenant.AppliedIndex >= leader.Group.CommitIndex && Contents(r.Tenant) == Contents(leader)),
            "every replica to hold what the leader holds", TimeSpan.FromSeconds(20));
    }

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
        var follower = _replicas.Values.First(r => r.Tenant != leader).Tenant;
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
        var follower = _replicas.First(r => r.Value.Tenant != leader).Key;
        await StopAsync(follower);
        for (var i = 0; i < 20; i++)
        {
            await RunAsync(leader, ["INCR", "n"]);
        }
        Start(follower);
        await AssertReplicasConvergeAsync();
        Assert.Equal("$2\r\n40\r\n", await RunAsync(await LeaderAsync(), ["GET", "n"]));

        var old = _replicas.First(r => r.Value.Tenant == leader).Key;
        await StopAsync(old);
        var next = await LeaderAsync(except: old);
        Assert.Equal(":41\r\n", await RunAsync(next, ["INCR", "n"]));
        Start(old);
        await AssertReplicasConvergeAsync();
        foreach (var replica in _replicas.Values)
        {
            Assert.Contains("$2\r\n41\r\n", Contents(replica.Tenant));
        }
    }

    private sealed record Replica(TcpTransport Transport, RaftHost Host, ReplicatedTenant Tenant);
}
