using System.Buffers.Binary;
using System.Net.Sockets;
using Google.Protobuf;
using IceFire.Raft.Hosting;
using IceFire.Raft.Transport.Wire;

namespace IceFire.Raft.Tests.Hosting;

/// <summary>Real processes' worth of parts on loopback: TCP transport, file storage, hosts; kill, restart, partition.</summary>
[Collection("tcp")]
public sealed class TcpClusterTests
{
    [Fact]
    public async Task ThreeNodesReplicateAndAFollowerCatchesUpAfterRestart()
    {
        await using var c = new TcpCluster(3);
        var leader = await c.WaitForLeader();
        for (var i = 0; i < 10; i++) await c.ProposeAsync($"a{i}");
        await TcpCluster.WaitUntil(() => c.Ids.All(id => c[id].Machines[1].Count == 10), "all nodes to apply 10 commands");
        var follower = c.Ids.First(id => id != leader);
        await c.StopAsync(follower);
        for (var i = 0; i < 60; i++) await c.ProposeAsync($"b{i}");
        c.Start(follower);
        await TcpCluster.WaitUntil(() => c[follower].Machines[1].Count == 70, "the restarted follower to catch up (through a snapshot)");
        Assert.Equal(c[leader].Machines[1].Items, c[follower].Machines[1].Items);
        // The leader compacted past what the follower held, so only a snapshot could have brought it back.
        Assert.True(c[leader].Groups[1].SnapshotIndex > 12, $"leader snapshot at {c[leader].Groups[1].SnapshotIndex}");
        Assert.True(c[follower].Machines[1].Restores > 0, "the follower restored a snapshot image");
        await c.StopAsync(follower);
        c.Start(follower);
        // A restart starts from the follower's own stored image, then the entries after it.
        await TcpCluster.WaitUntil(() => c[follower].Machines[1].Count == 70, "the follower to come back from its own image");
        Assert.Equal(1, c[follower].Machines[1].Restores);
        Assert.Equal(c[leader].Machines[1].Items, c[follower].Machines[1].Items);
    }

    [Fact]
    public async Task PartitionedLeaderIsReplacedAndRejoinsAsFollower()
    {
        await using var c = new TcpCluster(3);
        var old = await c.WaitForLeader();
        await c.ProposeAsync("before");
        c.Isolate(old);
        var fresh = await c.WaitForLeader(except: old);
        await TcpCluster.WaitUntil(() => c[old].Groups[1].Role != RaftRole.Leader, "the isolated leader to step down (check-quorum)");
        await c.ProposeAsync("during");
        c.Heal();
        await TcpCluster.WaitUntil(() => c[old].Machines[1].Count == 2, "the old leader to learn the new entry");
        Assert.Equal(["before", "during"], c[old].Machines[1].Items);
        Assert.NotEqual(old, fresh);
    }

    [Fact]
    public async Task ProposalsOnADeposedLeaderFailAsUnknown()
    {
        await using var c = new TcpCluster(3);
        var old = await c.WaitForLeader();
        c.Isolate(old);
        var pending = c[old].Groups[1].ProposeAsync("orphan"u8.ToArray());
        var e = await Record.ExceptionAsync(() => pending.WaitAsync(TimeSpan.FromSeconds(20)));
        // Accepted before check-quorum deposed it: outcome unknown. (Refused outright if the step-down came first.)
        Assert.True(e is RaftOutcomeUnknownException || e is RaftProposalException { Status: ProposeStatus.NotLeader or ProposeStatus.NoLeader }, $"unexpected {e}");
    }

    [Fact]
    public async Task FiveNodesCommitWithTwoDown()
    {
        await using var c = new TcpCluster(5);
        var leader = await c.WaitForLeader();
        var down = c.Ids.Where(id => id != leader).Take(2).ToList();
        foreach (var id in down) await c.StopAsync(id);
        // On a loaded machine the leader can lose an election mid-proposal; a proposal retried after an unknown outcome
        // may then apply twice, so what is checked is that every command applied and every replica applied the same.
        string[] commands = ["x0", "x1", "x2", "x3", "x4"];
        foreach (var command in commands) await c.ProposeAsync(command, retryUnknownOutcome: true);
        bool Agree(IEnumerable<ulong> ids)
        {
            var items = ids.Select(id => c[id].Machines[1].Items).ToList();
            return items.All(i => i.SequenceEqual(items[0])) && commands.All(items[0].Contains);
        }
        await TcpCluster.WaitUntil(() => Agree(c.Ids.Where(c.IsUp)), "the three live nodes to apply every command alike");
        foreach (var id in down) c.Start(id);
        await TcpCluster.WaitUntil(() => Agree(c.Ids), "the restarted nodes to catch up");
    }

    [Fact]
    public async Task NewNodeJoinsAsLearnerIsPromotedAndTheOldLeaderLeaves()
    {
        await using var c = new TcpCluster(3, spares: 1);
        var leader = await c.WaitForLeader();
        await c.ProposeAsync("a");
        var group = c[leader].Groups[1];
        await group.ProposeConfChangeAsync(new ConfChange(ConfChangeType.AddLearner, 4)).WaitAsync(TimeSpan.FromSeconds(10));
        await TcpCluster.WaitUntil(() => c[4].Machines[1].Items.Contains("a"), "the learner to catch up");
        await group.ProposeConfChangeAsync(new ConfChange(ConfChangeType.AddVoter, 4)).WaitAsync(TimeSpan.FromSeconds(10));
        await group.ProposeConfChangeAsync(new ConfChange(ConfChangeType.RemoveNode, leader)).WaitAsync(TimeSpan.FromSeconds(10));
        var next = await c.WaitForLeader(except: leader);
        await c.ProposeAsync("b");
        var members = c.Ids.Where(id => id != leader).ToList();
        await TcpCluster.WaitUntil(() => members.All(id => c[id].Machines[1].Items.Contains("b")), "the remaining members to apply b");
        Assert.All(members, id => Assert.False(c[id].Groups[1].Config.IsMember(leader)));
        Assert.True(c[next].Groups[1].Config.IsVoter(4));
    }

    [Fact]
    public async Task ManyGroupsShareOneConnectionPerPairAndCoalesceHeartbeats()
    {
        await using var c = new TcpCluster(3, groups: 40);
        await TcpCluster.WaitUntil(() => Enumerable.Range(1, 40).All(g => c.LeaderOf((ulong)g) != 0), "leaders in all 40 groups");
        await TcpCluster.WaitUntil(() => c.Ids.All(id => c[id].Transport.OpenConnections == 2), "two links per node");
        var t = c[1].Transport.Counters;
        var (frames, messages) = (t.FramesSent, t.MessagesSent);
        // Idle groups still heartbeat: watch the next 2,000 messages node 1 sends and count the frames they took.
        await TcpCluster.WaitUntil(() => t.MessagesSent - messages >= 2000, "2,000 more messages from node 1");
        var (f, m) = (t.FramesSent - frames, t.MessagesSent - messages);
        Assert.True(m > 3 * f, $"{m} messages in {f} frames: heartbeats of many groups should share frames");
    }

    [Fact]
    public async Task QuietGroupsElectANewLeaderWhenTheLeaderNodeDies()
    {
        await using var c = new TcpCluster(3, groups: 10, quiesceAfterTicks: 3);
        await TcpCluster.WaitUntil(() => Enumerable.Range(1, 10).All(g => c.LeaderOf((ulong)g) != 0), "leaders in all 10 groups");
        await TcpCluster.WaitUntil(() => c.Ids.All(id => c[id].Groups.Values.All(g => g.Role != RaftRole.Candidate)), "elections to settle");
        await TcpCluster.WaitUntil(() => c.Ids.All(id => c[id].Groups.Values.All(g => g.Quiesced)), "every replica of every group to go quiet");
        var victim = c.LeaderOf(1);
        var led = Enumerable.Range(1, 10).Select(g => (ulong)g).Where(g => c.LeaderOf(g) == victim).ToList();
        await c.StopAsync(victim);
        foreach (var g in led) await c.WaitForLeader(g, except: victim);
        await c.ProposeAsync("after", led[0]);
    }

    [Fact]
    public async Task CorruptAndForgedFramesAreCountedAndIgnored()
    {
        await using var c = new TcpCluster(3);
        await c.WaitForLeader();
        var target = c[3].Transport;
        // Garbage instead of a hello: refused.
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync(target.LocalEndPoint);
            await raw.GetStream().WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3 });
            await TcpCluster.WaitUntil(() => target.Counters.RejectedConnections >= 1, "the bad hello to be refused");
        }

        // A valid hello claiming to be node 1 (whose own link to 3 is held down so it does not replace ours), then a
        // frame that does not parse: the connection is dropped and counted.
        c[1].Transport.Block(3);
        using (var raw = new TcpClient())
        {
            await raw.ConnectAsync(target.LocalEndPoint);
            var stream = raw.GetStream();
            await stream.WriteAsync(Frame(new WireFrame { FromNode = 1 }.ToByteArray()));
            await stream.WriteAsync(Frame([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
            await TcpCluster.WaitUntil(() => target.Counters.CorruptFrames >= 1, "the corrupt frame to be counted");
        }

        c[1].Transport.Unblock(3);

        // A message for a group that does not exist is dropped by the host.
        c[3].Host.Deliver(999, new Message { Type = MessageType.Heartbeat, From = 1, To = 3, Term = 1 });
        Assert.Equal(1, c[3].Host.DroppedUnknownGroup);
        await c.ProposeAsync("still-works");
        await TcpCluster.WaitUntil(() => c[3].Machines[1].Items.Contains("still-works"), "node 3 to keep replicating");
    }

    [Fact]
    public async Task ReadBarrierSeesEveryEarlierWrite()
    {
        await using var c = new TcpCluster(3);
        var leader = await c.WaitForLeader();
        await c.ProposeAsync("w1");
        var follower = c.Ids.First(id => id != leader);
        await c[follower].Groups[1].ReadBarrierAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("w1", c[follower].Machines[1].Items);
    }

    private static byte[] Frame(byte[] body)
    {
        var b = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)body.Length);
        body.CopyTo(b, 4);
        return b;
    }
}
