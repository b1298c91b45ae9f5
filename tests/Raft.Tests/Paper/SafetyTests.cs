namespace IceFire.Raft.Tests.Paper;

/// <summary>§5.4 Safety: the election restriction and the commitment rule for entries of earlier terms.</summary>
public sealed class SafetyTests
{
    private static RaftInitialState WithLog(ulong term, params ulong[] entryTerms) => new()
    {
        HardState = new HardState(term, 0, 0),
        Snapshot = RaftInitialState.Bootstrap(1, 2, 3, 4, 5).Snapshot,
        Entries = entryTerms.Select((t, i) => new Entry((ulong)i + 1, t, EntryType.Normal, [(byte)i])).ToList(),
    };

    [Fact]
    public void LeaderDoesNotCommitAnOlderTermEntryByCountingReplicas()
    {
        // Figure 8 (c): leader of term 4 holds an entry of term 2 that a majority stores; it must not count it.
        var leader = new RaftNode(new RaftOptions { Id = 1, PreVote = false, CheckQuorum = false }, WithLog(3, 1, 2));
        leader.Campaign();
        Drain(leader);
        foreach (var from in new ulong[] { 2, 3 })
            leader.Step(new Message { Type = MessageType.RequestVoteResponse, From = from, To = 1, Term = 4 });
        Drain(leader);
        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.Equal(3UL, leader.LastIndex); // the no-op of term 4
        foreach (var from in new ulong[] { 2, 3 })
            leader.Step(new Message { Type = MessageType.AppendResponse, From = from, To = 1, Term = 4, Index = 2 });
        Drain(leader);
        Assert.Equal(0UL, leader.Commit);
        // Once an entry of its own term is on a majority, it and everything before it commit (§5.4.2).
        leader.Step(new Message { Type = MessageType.AppendResponse, From = 2, To = 1, Term = 4, Index = 3 });
        leader.Step(new Message { Type = MessageType.AppendResponse, From = 3, To = 1, Term = 4, Index = 3 });
        Assert.Equal(3UL, leader.Commit);
    }

    [Fact]
    public void VoterRejectsCandidateWhoseLogIsLessUpToDate()
    {
        var voter = new RaftNode(new RaftOptions { Id = 1, PreVote = false }, WithLog(2, 1, 2));
        // Same last term, shorter log.
        voter.Step(new Message { Type = MessageType.RequestVote, From = 2, To = 1, Term = 3, Index = 1, LogTerm = 2 });
        // Older last term, longer log.
        voter.Step(new Message { Type = MessageType.RequestVote, From = 3, To = 1, Term = 3, Index = 9, LogTerm = 1 });
        var ready = voter.GetReady();
        Assert.All(ready.Messages, m => Assert.True(m.Reject));
        voter.Advance(ready);
        // A later last term wins even with a shorter log.
        voter.Step(new Message { Type = MessageType.RequestVote, From = 4, To = 1, Term = 3, Index = 1, LogTerm = 3 });
        Assert.False(voter.GetReady().Messages.Single().Reject);
    }

    [Fact]
    public void FollowerKeepsCommittedEntriesWhenAnOldAppendArrives()
    {
        var log = WithLog(2, 1, 2);
        var node = new RaftNode(new RaftOptions { Id = 1 }, new RaftInitialState { HardState = log.HardState with { Commit = 2 }, Snapshot = log.Snapshot, Entries = log.Entries });
        node.Step(new Message
        {
            Type = MessageType.Append, From = 2, To = 1, Term = 3, Index = 1, LogTerm = 1,
            Entries = [new Entry(2, 3, EntryType.Normal, [9])], Commit = 2,
        });
        var reply = node.GetReady().Messages.Single();
        Assert.Equal(2UL, reply.Index); // "I hold everything up to my commit index"
        Assert.False(reply.Reject);
        Assert.Equal(2UL, node.LastTerm);
    }

    [Fact]
    public void CommitSurvivesRestartThroughTheHardState()
    {
        var g = new ScriptedGroup(3);
        g.Elect(1);
        g.Propose(1, "a");
        g.DeliverAll();
        g.TickAll(1);
        g.Crash(2);
        g.Start(2);
        Assert.True(g[2].Commit >= 2);
        Assert.Equal(["a"], g.AppliedTexts(2));
    }

    private static void Drain(RaftNode node)
    {
        while (node.HasReady()) node.Advance(node.GetReady());
    }
}
