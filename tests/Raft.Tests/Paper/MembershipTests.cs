namespace IceFire.Raft.Tests.Paper;

/// <summary>§6 (dissertation §4) Membership changes, one server at a time, and learners.</summary>
public sealed class MembershipTests
{
    [Fact]
    public void LearnerReceivesTheLogButDoesNotVoteOrCountForCommit()
    {
        var g = new ScriptedGroup(3, learners: 1);
        g.Elect(1);
        g.Crash(2);
        g.Crash(3);
        g.Propose(1, "x");
        g.DeliverAll();
        g.TickAll(2);
        Assert.Empty(g.AppliedTexts(1)); // the learner's ack does not make a majority
        Assert.Equal(g[1].LastIndex, g[4].LastIndex);
        g[4].Campaign();
        Assert.Equal(RaftRole.Follower, g[4].Role);
    }

    [Fact]
    public void NewNodeJoinsAsLearnerThenIsPromoted()
    {
        var g = new ScriptedGroup(3, joining: 1);
        g.Elect(1);
        g.Propose(1, "before");
        g.DeliverAll();
        Assert.Equal(ProposeStatus.Accepted, g[1].ProposeConfChange(new ConfChange(ConfChangeType.AddLearner, 4)).Status);
        g.Drain(1);
        g.DeliverAll();
        g.TickAll(3);
        Assert.True(g[4].Config.IsLearner(4));
        Assert.Equal(["before"], g.AppliedTexts(4));
        Assert.Equal(ProposeStatus.Accepted, g[1].ProposeConfChange(new ConfChange(ConfChangeType.AddVoter, 4)).Status);
        g.Drain(1);
        g.DeliverAll();
        g.TickAll(3);
        Assert.Equal(new ulong[] { 1, 2, 3, 4 }, g[1].Config.Voters);
        Assert.Equal(3, g[1].Config.Quorum);
    }

    [Fact]
    public void NoChangeBeforeTheLeaderCommitsAnEntryOfItsTerm()
    {
        var g = new ScriptedGroup(3);
        g[1].Campaign();
        g.Drain(1);
        g.Filter = m => m.Type != MessageType.AppendResponse;
        g.DeliverAll();
        Assert.Equal(RaftRole.Leader, g[1].Role);
        // The no-op is not committed yet: the single-server change fix refuses the change.
        Assert.Equal(ProposeStatus.RetryLater, g[1].ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 3)).Status);
        g.Filter = null;
        g.TickAll(2);
        Assert.Equal(ProposeStatus.Accepted, g[1].ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 3)).Status);
        // One change at a time: the next waits until this one commits.
        Assert.Equal(ProposeStatus.RetryLater, g[1].ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 2)).Status);
    }

    [Fact]
    public void ConfigurationTakesEffectOnAppendAndRevertsOnTruncation()
    {
        var g = new ScriptedGroup(3, o => o.CheckQuorum = false);
        g.Elect(1);
        g.DeliverAll();
        g.Isolate(1);
        g[1].ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 3));
        g.Drain(1);
        g.DeliverAll();
        Assert.False(g[1].Config.IsMember(3)); // uncommitted, yet in force (dissertation §4.1)
        g.Elect(2);
        g.Propose(2, "y");
        g.DeliverAll();
        g.Heal();
        g.TickAll(3);
        Assert.Equal(2UL, g[1].Leader);
        Assert.True(g[1].Config.IsVoter(3)); // the uncommitted change was overwritten
    }

    [Fact]
    public void RemovedLeaderStepsDownAfterTheChangeCommits()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        Assert.Equal(ProposeStatus.Accepted, g[1].ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 1)).Status);
        g.Drain(1);
        g.DeliverAll();
        Assert.NotEqual(RaftRole.Leader, g[1].Role);
        g.TickAll(40);
        var leader = g[2].Leader;
        Assert.True(leader is 2 or 3, $"expected 2 or 3 to lead, got {leader}");
        Assert.Equal(ProposeStatus.Accepted, g.Propose(leader, "after").Status);
        g.DeliverAll();
        g.TickAll(2);
        Assert.Contains("after", g.AppliedTexts(2));
    }
}
