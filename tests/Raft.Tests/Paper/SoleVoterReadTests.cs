namespace IceFire.Raft.Tests.Paper;

/// <summary>
/// §6.4 with a quorum of one: the leader of a group whose only voter it is serves reads without a round, but only once
/// it has applied an entry of its own term (§8), and not from the batch that appends a second voter.
/// </summary>
public sealed class SoleVoterReadTests
{
    [Fact]
    public void ANewOneVoterLeaderServesReadsAloneOnlyOnceItHasAppliedAnEntryOfItsTerm()
    {
        var g = new ScriptedGroup(1);
        g.Elect(1);
        g.Propose(1, "x");
        Assert.True(g[1].ServesReadsAlone);

        // Restarted, it holds committed entries of an earlier term that it has not applied yet.
        g.Crash(1);
        g.Start(1);
        g[1].Campaign();
        Assert.Equal(RaftRole.Leader, g[1].Role);
        Assert.False(g[1].ServesReadsAlone);
        g.Drain(1);
        Assert.True(g[1].ServesReadsAlone);
        Assert.Equal(g[1].Commit, g[1].Applied);
        Assert.Equal(["x"], g.AppliedTexts(1));
    }

    [Fact]
    public void AddingAVoterEndsReadsAloneInTheBatchThatAppendsTheChange()
    {
        var g = new ScriptedGroup(1, joining: 1);
        g.Elect(1);
        g.Drain(1);
        Assert.True(g[1].LeadsAlone);
        Assert.True(g[1].IsSoleMember);
        Assert.Equal(ProposeStatus.Accepted, g[1].ProposeConfChange(new ConfChange(ConfChangeType.AddVoter, 2)).Status);
        Assert.False(g[1].LeadsAlone);
        Assert.False(g[1].ServesReadsAlone);
        Assert.False(g[1].IsSoleMember);
    }

    [Fact]
    public void ALearnerMakesTheLeaderNoLongerTheSoleMemberButItStillReadsAlone()
    {
        var g = new ScriptedGroup(1, learners: 1);
        g.Elect(1);
        g.DeliverAll();
        Assert.False(g[1].IsSoleMember);
        Assert.True(g[1].ServesReadsAlone);
    }

    [Fact]
    public void ALeaderOfSeveralVotersNeverReadsAlone()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Propose(1, "x");
        g.DeliverAll();
        Assert.False(g[1].LeadsAlone);
        Assert.False(g[1].ServesReadsAlone);
    }
}
