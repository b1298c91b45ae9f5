namespace IceFire.Raft.Tests.Paper;

/// <summary>Bad input is dropped and counted; it never changes state.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void MisaddressedStaleAndUnknownMessagesAreCountedAndIgnored()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        var leader = g[1];
        var before = (leader.Term, leader.Commit, leader.LastIndex, leader.Role);
        var c = leader.Counters;
        var counts = (c.DroppedMisaddressed, c.DroppedStaleTerm, c.DroppedUnknownSender, c.DroppedUnexpected);
        leader.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 9, Term = leader.Term, Index = 100 });
        leader.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = leader.Term - 1, Index = 100 });
        leader.Step(new Message { Type = MessageType.AppendResponse, From = 77, To = 1, Term = leader.Term, Index = 100 });
        leader.Step(new Message { Type = MessageType.RequestVoteResponse, From = 2, To = 1, Term = leader.Term });
        g.Drain(1);
        Assert.Equal(before, (leader.Term, leader.Commit, leader.LastIndex, leader.Role));
        Assert.Equal((counts.Item1 + 1, counts.Item2 + 1, counts.Item3 + 1, counts.Item4 + 1), (c.DroppedMisaddressed, c.DroppedStaleTerm, c.DroppedUnknownSender, c.DroppedUnexpected));
    }

    [Fact]
    public void MalformedAppendsAndImpossibleAcksAreDropped()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.DeliverAll();
        var follower = g[2];
        var (last, term) = (follower.LastIndex, follower.Term);
        Entry E(ulong i, ulong t) => new(i, t, EntryType.Normal, [1]);
        // A gap, a term beyond the leader's, and terms going backwards.
        foreach (var entries in new[] { new[] { E(last + 2, term) }, [E(last + 1, term + 5)], [E(last + 1, term), E(last + 2, term - 1)] })
            follower.Step(new Message { Type = MessageType.Append, From = 1, To = 2, Term = term, Index = last, LogTerm = follower.LastTerm, Entries = entries });
        Assert.Equal(3, follower.Counters.DroppedMalformed);
        Assert.Equal(last, follower.LastIndex);
        var leader = g[1];
        leader.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = leader.Term, Index = leader.LastIndex + 100 });
        Assert.Equal(1, leader.Counters.DroppedMalformed);
        Assert.Equal(RaftRole.Leader, leader.Role);
    }

    [Fact]
    public void CallsBeforeAdvanceAreRefused()
    {
        var node = new RaftNode(new RaftOptions { Id = 1 }, RaftInitialState.Bootstrap(1));
        node.Campaign();
        var ready = node.GetReady();
        Assert.Throws<InvalidOperationException>(() => node.Tick());
        node.Advance(ready);
        node.Tick();
    }

    [Fact]
    public void CorruptConfigurationEntryIsReportedAsCorruption()
    {
        Assert.Throws<RaftCorruptionException>(() => ConfState.Decode([1, 0, 0, 0, 0, 0, 0, 0, 5]));
    }

    [Fact]
    public void PersistedCommitBeyondTheLogIsCorruption()
    {
        var state = new RaftInitialState { HardState = new HardState(1, 0, 5), Snapshot = RaftInitialState.Bootstrap(1).Snapshot };
        Assert.Throws<RaftCorruptionException>(() => new RaftNode(new RaftOptions { Id = 1 }, state));
    }
}
