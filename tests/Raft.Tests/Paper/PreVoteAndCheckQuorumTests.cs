namespace IceFire.Raft.Tests.Paper;

/// <summary>Dissertation §9.6 (pre-vote) and §6.2 / §4.2.3 (check-quorum and leader stickiness).</summary>
public sealed class PreVoteAndCheckQuorumTests
{
    [Fact]
    public void PartitionedNodeWithPreVoteDoesNotInflateItsTerm()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        var term = g[1].Term;
        g.Isolate(3);
        g.TickAll(100);
        Assert.Equal(term, g[3].Term);
        g.Heal();
        g.TickAll(5);
        Assert.Equal(1UL, g[3].Leader);
        Assert.Equal(term, g[1].Term);
    }

    [Fact]
    public void WithoutPreVoteARejoiningNodeDisruptsTheLeader()
    {
        var g = new ScriptedGroup(3, o => { o.PreVote = false; o.CheckQuorum = false; });
        g.Elect(1);
        g.DeliverAll();
        var term = g[1].Term;
        g.Isolate(3);
        g.TickAll(100);
        Assert.True(g[3].Term > term);
        g.Heal();
        g.TickAll(25);
        Assert.True(g[1].Term > term);
    }

    [Fact]
    public void IsolatedLeaderStepsDownAfterAnElectionTimeout()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Isolate(1);
        g.Tick(1, 25);
        Assert.Equal(RaftRole.Follower, g[1].Role);
    }

    [Fact]
    public void FollowerIgnoresVotesWhileItHearsFromALeader()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        var dropped = g[2].Counters.DroppedInLease;
        g.Step(new Message { Type = MessageType.RequestVote, From = 3, To = 2, Term = g[2].Term + 1, Index = 99, LogTerm = 99 });
        Assert.Equal(dropped + 1, g[2].Counters.DroppedInLease);
        Assert.Equal(1UL, g[2].Leader);
    }

    [Fact]
    public void StaleLeaderLearnsTheNewTermFromAnyFollower()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Isolate(1);
        g.TickAll(30);
        var newLeader = g[2].Leader;
        Assert.True(newLeader is 2 or 3);
        Assert.Equal(RaftRole.Follower, g[1].Role);
        g.Heal();
        g.TickAll(20);
        Assert.Equal(newLeader, g[1].Leader);
    }
}
