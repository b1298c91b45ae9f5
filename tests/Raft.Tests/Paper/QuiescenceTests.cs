namespace IceFire.Raft.Tests.Paper;

/// <summary>Idle groups stop heartbeating; anything that happens wakes them; a lost leader is replaced.</summary>
public sealed class QuiescenceTests
{
    private static ScriptedGroup QuietGroup()
    {
        var g = new ScriptedGroup(3, o => o.QuiesceAfterTicks = 3);
        g.Elect(1);
        g.Propose(1, "a");
        g.DeliverAll();
        g.TickAll(10);
        return g;
    }

    [Fact]
    public void IdleGroupStopsSendingMessages()
    {
        var g = QuietGroup();
        Assert.All(g.Ids, id => Assert.True(g[id].Quiesced, $"node {id} should be quiet"));
        g.Sent.Clear();
        g.TickAll(90);
        Assert.Empty(g.Sent);
        // The backstop: a quiet follower checks on its leader every ten election timeouts, without an election.
        g.TickAll(200);
        Assert.DoesNotContain(g.Sent, m => m.Type is MessageType.RequestPreVote or MessageType.RequestVote);
        Assert.True(g.Sent.Count <= 12, $"{g.Sent.Count} messages in 200 quiet ticks");
        Assert.True(g[1].Quiesced);
        Assert.Equal(1UL, g[1].Term);
        Assert.Equal(1UL, g[2].Leader);
        Assert.Equal(["a"], g.AppliedTexts(2));
    }

    [Fact]
    public void ProposalWakesTheGroup()
    {
        var g = QuietGroup();
        g.Propose(1, "b");
        g.DeliverAll();
        g.TickAll(2);
        Assert.False(g[2].Quiesced);
        Assert.Equal(["a", "b"], g.AppliedTexts(3));
    }

    [Fact]
    public void QuietFollowersReplaceALeaderReportedUnreachable()
    {
        var g = QuietGroup();
        g.Crash(1);
        g.TickAll(30);
        Assert.All(new ulong[] { 2, 3 }, id => Assert.Equal(RaftRole.Follower, g[id].Role));
        foreach (var id in new ulong[] { 2, 3 })
        {
            g[id].ReportUnreachable(1);
            g.Drain(id);
        }

        g.TickAll(40);
        Assert.Contains(g[2].Leader, new ulong[] { 2, 3 });
    }

    [Fact]
    public void OneReportIsEnoughTheOtherQuietFollowerVotes()
    {
        // Only one follower had a link to the dead leader, so only it hears of the loss; the other, still quiet, must
        // not hold the old leader's lease against it, or the group waits for the ten-timeout backstop.
        var g = QuietGroup();
        g.Crash(1);
        g[2].ReportUnreachable(1);
        g.Drain(2);
        g.TickAll(40);
        Assert.Contains(g[3].Leader, new ulong[] { 2, 3 });
        Assert.Equal(g[2].Leader, g[3].Leader);
    }

    [Fact]
    public void QuietTimerIsABackstopWhenNoReportComes()
    {
        var g = QuietGroup();
        g.Crash(1);
        g.TickAll(250);
        Assert.Contains(g[2].Leader, new ulong[] { 2, 3 });
    }

    [Fact]
    public void RestartedFollowerWakesTheQuietLeader()
    {
        var g = QuietGroup();
        g.Crash(3);
        g.Start(3);
        g.TickAll(40);
        Assert.Equal(1UL, g[3].Leader);
        Assert.Equal(RaftRole.Leader, g[1].Role);
    }
}
