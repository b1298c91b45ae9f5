namespace IceFire.Raft.Tests.Paper;

/// <summary>Dissertation §3.10 leadership transfer and §6.4 linearizable reads (ReadIndex, leases).</summary>
public sealed class TransferAndReadTests
{
    [Fact]
    public void TransferToAnUpToDateFollowerMakesItLeaderOfTheNextTerm()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        var term = g[1].Term;
        Assert.Equal(ProposeStatus.Accepted, g[1].TransferLeadership(3));
        g.Drain(1);
        g.DeliverAll();
        Assert.Equal(RaftRole.Leader, g[3].Role);
        Assert.Equal(term + 1, g[3].Term);
    }

    [Fact]
    public void TransferCatchesUpALaggingTargetAndBlocksProposalsMeanwhile()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Isolate(3);
        for (var i = 0; i < 5; i++) g.Propose(1, $"e{i}");
        g.DeliverAll();
        g.Heal();
        Assert.Equal(ProposeStatus.Accepted, g[1].TransferLeadership(3));
        Assert.Equal(ProposeStatus.TransferInProgress, g[1].Propose([1]).Status);
        g.Drain(1);
        g.DeliverAll();
        g.TickAll(3);
        Assert.Equal(3UL, g[2].Leader);
        Assert.Equal(g[1].LastIndex, g[3].LastIndex);
    }

    [Fact]
    public void TransferIsAbandonedAfterAnElectionTimeout()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Crash(3);
        g[1].TransferLeadership(3);
        g.Drain(1);
        g.TickAll(12);
        Assert.Equal(0UL, g[1].LeadTransferee);
        Assert.Equal(ProposeStatus.Accepted, g.Propose(1, "x").Status);
    }

    [Fact]
    public void ReadIndexWaitsForAQuorumHeartbeatRound()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Propose(1, "x");
        g.DeliverAll();
        Assert.Equal(ProposeStatus.Accepted, g[1].ReadIndex(42));
        g.Drain(1);
        Assert.False(g.Reads.ContainsKey(1));
        g.DeliverAll();
        var read = Assert.Single(g.Reads[1]);
        Assert.Equal(42UL, read.Context);
        Assert.Equal(g[1].Commit, read.Index);
    }

    [Fact]
    public void FollowerReadIsForwardedToTheLeader()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.Propose(1, "x");
        g.DeliverAll();
        Assert.Equal(ProposeStatus.Accepted, g[2].ReadIndex(7));
        g.Drain(2);
        g.DeliverAll();
        var read = Assert.Single(g.Reads[2]);
        Assert.Equal(7UL, read.Context);
        Assert.Equal(g[1].Commit, read.Index);
    }

    [Fact]
    public void IsolatedLeaderCannotServeReadIndex()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Isolate(1);
        g[1].ReadIndex(1);
        g.Drain(1);
        g.DeliverAll();
        Assert.False(g.Reads.ContainsKey(1));
    }

    [Fact]
    public void LeaseReadIsAnsweredWithoutARoundTripWhileTheLeaseHolds()
    {
        var g = new ScriptedGroup(3, o => o.ReadMode = ReadMode.LeaseBased);
        g.TickAll(40);
        var leader = g.Ids.Single(id => g[id].Role == RaftRole.Leader);
        g.TickAll(2);
        g.Sent.Clear();
        g[leader].ReadIndex(5);
        g.Drain(leader);
        Assert.Single(g.Reads[leader]);
        Assert.DoesNotContain(g.Sent, m => m.Type == MessageType.Heartbeat);
        // Once cut off for longer than the lease, the leader falls back to a heartbeat round, which cannot complete.
        g.Isolate(leader);
        g.Tick(leader, 9);
        g[leader].ReadIndex(6);
        g.Drain(leader);
        g.DeliverAll();
        Assert.Single(g.Reads[leader]);
    }

    [Fact]
    public void LeaseReadsGoStaleWhenTheLeaderClockLagsBeyondTheMargin()
    {
        // The documented assumption of leases, shown failing: the isolated leader's clock stands still while the
        // others elect a new leader and commit, so the old leader's lease still "holds" and its read point is stale.
        var g = new ScriptedGroup(3, o => o.ReadMode = ReadMode.LeaseBased);
        g.TickAll(40);
        var old = g.Ids.Single(id => g[id].Role == RaftRole.Leader);
        g.TickAll(2);
        g.Isolate(old);
        var others = g.Ids.Where(id => id != old).ToList();
        for (var round = 0; round < 60 && !others.Any(id => g[id].Role == RaftRole.Leader); round++)
        {
            foreach (var id in others) g.Tick(id);
            g.DeliverAll();
        }

        var fresh = others.Single(id => g[id].Role == RaftRole.Leader);
        g.Propose(fresh, "new");
        g.DeliverAll();
        g[old].ReadIndex(1);
        g.Drain(old);
        var read = Assert.Single(g.Reads[old]);
        Assert.True(read.Index < g[fresh].Commit, "a lease outliving the followers' promise yields a stale read point");
    }
}
