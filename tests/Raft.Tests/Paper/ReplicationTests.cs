namespace IceFire.Raft.Tests.Paper;

/// <summary>§5.3 Log replication, with batching, the in-flight window and fast back-off.</summary>
public sealed class ReplicationTests
{
    [Fact]
    public void CommittedEntriesAreAppliedInOrderOnEveryNode()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        foreach (var s in new[] { "a", "b", "c" }) g.Propose(1, s);
        g.DeliverAll();
        g.TickAll(2);
        foreach (var id in g.Ids) Assert.Equal(["a", "b", "c"], g.AppliedTexts(id));
    }

    [Fact]
    public void ProposalsBetweenBatchesTravelInOneAppendPerFollower()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Sent.Clear();
        for (var i = 0; i < 50; i++) Assert.Equal(ProposeStatus.Accepted, g[1].Propose([(byte)i]).Status);
        g.Drain(1);
        var appends = g.Sent.Where(m => m.Type == MessageType.Append).ToList();
        Assert.Equal(2, appends.Count);
        Assert.All(appends, m => Assert.Equal(50, m.Entries.Count));
    }

    [Fact]
    public void InflightWindowBoundsUnacknowledgedAppends()
    {
        var g = new ScriptedGroup(2, o => { o.MaxInflightMessages = 2; o.MaxEntriesPerMessage = 1; });
        g.Elect(1);
        g.DeliverAll();
        g.InFlight.Clear();
        g.Sent.Clear();
        for (var i = 0; i < 10; i++) g.Propose(1, $"e{i}");
        Assert.Equal(2, g.Sent.Count(m => m.Type == MessageType.Append));
        g.DeliverAll();
        Assert.Equal(10, g.AppliedTexts(1).Count());
    }

    [Fact]
    public void NonLeaderRefusesProposalsAndNamesTheLeader()
    {
        var g = new ScriptedGroup(3);
        g.Elect(2);
        var r = g[1].Propose([1]);
        Assert.Equal(ProposeStatus.NotLeader, r.Status);
        Assert.Equal(2UL, g[1].Leader);
    }

    [Fact]
    public void ConflictingFollowerSuffixIsOverwrittenWithFewRoundTrips()
    {
        var g = new ScriptedGroup(3, o => o.CheckQuorum = false);
        g.Elect(1);
        g.DeliverAll();
        // Leader 1 appends 30 entries that only it holds, then is cut off.
        g.Isolate(1);
        for (var i = 0; i < 30; i++) g.Propose(1, $"lost{i}");
        g.InFlight.Clear();
        g.Elect(2);
        for (var i = 0; i < 5; i++) g.Propose(2, $"kept{i}");
        g.DeliverAll();
        g.Heal();
        g.Sent.Clear();
        g.TickAll(25);
        Assert.Equal(2UL, g[1].Leader);
        Assert.Equal(["kept0", "kept1", "kept2", "kept3", "kept4"], g.AppliedTexts(1));
        // Fast back-off skips the whole conflicting term at once instead of one entry per round trip.
        Assert.True(g.Sent.Count(m => m.Type == MessageType.AppendResponse && m.Reject && m.From == 1) <= 2);
    }

    [Fact]
    public void FollowerAppliesOnlyWhatTheLeaderCommitted()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        g.Filter = m => !(m.Type == MessageType.AppendResponse);
        g.Propose(1, "x");
        g.DeliverAll();
        Assert.Empty(g.AppliedTexts(2));
        Assert.Empty(g.AppliedTexts(1));
        g.Filter = null;
        g.TickAll(2);
        Assert.Equal(["x"], g.AppliedTexts(2));
    }

    [Fact]
    public void LeaderRefusesProposalsBeyondTheUncommittedBudget()
    {
        var g = new ScriptedGroup(3, o => o.MaxUncommittedBytes = 1000);
        g.Elect(1);
        g.DeliverAll();
        g.Isolate(1);
        var accepted = 0;
        while (g[1].Propose(new byte[100]).Status == ProposeStatus.Accepted) accepted++;
        Assert.Equal(10, accepted);
        Assert.Equal(ProposeStatus.RetryLater, g[1].Propose(new byte[100]).Status);
        g.Drain(1);
        g.Heal();
        g.TickAll(3);
        // Once the backlog commits, there is room again.
        Assert.Equal(ProposeStatus.Accepted, g[1].Propose(new byte[100]).Status);
    }
}
