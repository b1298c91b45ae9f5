using System.Collections.Concurrent;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Streams;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Replication;

/// <summary>Active expiry through the log, keyspace notifications from the leader, and INFO's counters.</summary>
public sealed class ReplicatedTenantEventsTests : ReplicaGroupTestBase
{
    private readonly LocalPubSub _pubSub = new();
    private readonly Recorder _recorder = new();

    protected override TenantOptions CreateOptions()
    {
        var settings = new KeyspaceEventSettings();
        Assert.True(KeyspaceEventSettings.TryParse("KEA", out var flags));
        settings.Flags = flags;
        _pubSub.SubscribePattern(_recorder, "__key*"u8);
        // One fabric for all replicas, as subscribers of a tenant hear it wherever they are connected.
        return new TenantOptions { PubSub = _pubSub, KeyspaceEvents = settings, SweepInterval = TimeSpan.FromMilliseconds(50) };
    }

    [Fact]
    public async Task TheLeadersSweepRemovesExpiredKeysOnEveryReplicaAlike()
    {
        var leader = await Group.LeaderAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", $"gone{i}", "v", "PX", "100"]));
        }
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "s", "stays"]));

        await Eventually.WaitUntilAsync(
            () => Group.Replicas.Values.All(r => r.Tenant.GetInfoAsync().Result.ExpiredKeys == 5),
            "every replica to have removed the five expired keys", TimeSpan.FromSeconds(20));
        await Group.AssertReplicasConvergeAsync();
        foreach (var replica in Group.Replicas.Values)
        {
            var info = await replica.Tenant.GetInfoAsync();
            Assert.Equal([(0, 1L, 0L)], info.Keyspace);
            Assert.Contains("$5\r\nstays\r\n", Contents(replica.Tenant));
        }
        // Heard once, from the leader, although three replicas removed each key.
        Assert.Equal(5, _recorder.Count("__keyevent@0__:expired"));
    }

    [Fact]
    public async Task NotificationsAreHeardOnceFromTheLeaderAfterTheirWriteApplies()
    {
        var leader = await Group.LeaderAsync();
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "k", "v"]));
        Assert.Equal(":2\r\n", await RunAsync(leader, ["RPUSH", "l", "a", "b"]));
        Assert.Equal(":1\r\n", await RunAsync(leader, ["DEL", "k"]));
        await Group.AssertReplicasConvergeAsync();

        Assert.Equal(1, _recorder.Count("__keyevent@0__:set"));
        Assert.Equal(1, _recorder.Count("__keyevent@0__:rpush"));
        Assert.Equal(1, _recorder.Count("__keyevent@0__:del"));
        Assert.Equal(["set", "del"], _recorder.Messages("__keyspace@0__:k"));
    }

    [Fact]
    public async Task InfoCountsTheSameCommitsCommandsAndExpiriesOnEveryReplica()
    {
        var leader = await Group.LeaderAsync();
        var before = await leader.GetInfoAsync();
        Assert.Equal("+OK\r\n", await RunAsync(leader, ["SET", "a", "1"]));
        Assert.Equal(":2\r\n", await RunAsync(leader, ["INCR", "a"]));
        Assert.Equal("+OK\r\n:3\r\n", await RunAsync(leader, ["SET", "b", "1"], ["INCR", "a"]));
        await Group.AssertReplicasConvergeAsync();

        var info = await leader.GetInfoAsync();
        Assert.Equal(before.Commits + 3, info.Commits);
        Assert.Equal(before.CommandsWritten + 4, info.CommandsWritten);
        Assert.True(info.LastCommitUnixSeconds > 0);
        foreach (var replica in Group.Replicas.Values)
        {
            var other = await replica.Tenant.GetInfoAsync();
            Assert.Equal((info.Commits, info.CommandsWritten, info.ExpiredKeys, info.LastCommitUnixSeconds),
                (other.Commits, other.CommandsWritten, other.ExpiredKeys, other.LastCommitUnixSeconds));
        }
    }

    private sealed class Recorder : IPubSubSubscriber
    {
        private readonly ConcurrentQueue<(string Channel, string Message)> _messages = new();

        public int Count(string channel) => _messages.Count(m => m.Channel == channel);

        public string[] Messages(string channel) => _messages.Where(m => m.Channel == channel).Select(m => m.Message).ToArray();

        public void OnMessage(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) =>
            _messages.Enqueue((Encoding.UTF8.GetString(channel), Encoding.UTF8.GetString(message)));

        public void OnPatternMessage(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) =>
            OnMessage(channel, message);
    }
}
