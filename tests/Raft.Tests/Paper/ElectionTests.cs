namespace IceFire.Raft.Tests.Paper;

/// <summary>§5.2 Leader election.</summary>
public sealed class ElectionTests
{
    [Fact]
    public void CandidateWithMajorityBecomesLeaderOfNextTerm()
    {
        var g = new ScriptedGroup(3, o => o.PreVote = false);
        g.Elect(1);
        Assert.Equal(1UL, g[1].Term);
        Assert.Equal(1UL, g[2].Leader);
        Assert.Equal(1UL, g[3].Leader);
        Assert.Equal(RaftRole.Follower, g[2].Role);
    }

    [Fact]
    public void SingleVoterElectsItselfAndCommitsAlone()
    {
        var g = new ScriptedGroup(1);
        g.Elect(1);
        g.Propose(1, "x");
        Assert.Equal(["x"], g.AppliedTexts(1));
    }

    [Fact]
    public void ElectionTimeoutIsRandomizedWithinOneToTwoTimeouts()
    {
        var seen = new HashSet<int>();
        for (var seed = 0; seed < 50; seed++)
        {
            var node = new RaftNode(new RaftOptions { Id = 1, ElectionTicks = 10, PreVote = false, Random = new Random(seed) }, RaftInitialState.Bootstrap(1, 2, 3));
            var ticks = 0;
            while (node.Role == RaftRole.Follower)
            {
                node.Tick();
                ticks++;
                Assert.True(ticks < 20, "a follower must campaign before two election timeouts");
            }

            Assert.True(ticks >= 10, $"campaigned after {ticks} ticks, before one election timeout");
            seen.Add(ticks);
        }

        Assert.True(seen.Count > 3, "timeouts should vary with the random source");
    }

    [Fact]
    public void NodeVotesOncePerTerm()
    {
        var g = new ScriptedGroup(3, o => o.PreVote = false);
        g.Step(new Message { Type = MessageType.RequestVote, From = 2, To = 1, Term = 5, Index = 0, LogTerm = 0 });
        g.Step(new Message { Type = MessageType.RequestVote, From = 3, To = 1, Term = 5, Index = 0, LogTerm = 0 });
        var answers = g.InFlight.Where(m => m.Type == MessageType.RequestVoteResponse && m.From == 1).ToList();
        Assert.Equal(2, answers.Count);
        Assert.False(answers[0].Reject);
        Assert.True(answers[1].Reject);
        Assert.Equal(new HardState(5, 2, 0), g.Durable[1].HardState);
    }

    [Fact]
    public void VoteIsPersistedBeforeTheResponseIsSent()
    {
        var node = new RaftNode(new RaftOptions { Id = 1, PreVote = false }, RaftInitialState.Bootstrap(1, 2, 3));
        node.Step(new Message { Type = MessageType.RequestVote, From = 2, To = 1, Term = 3 });
        var ready = node.GetReady();
        Assert.Equal(new HardState(3, 2, 0), ready.HardState);
        Assert.True(ready.MustSync);
        Assert.Single(ready.Messages);
    }

    [Fact]
    public void CandidateStepsDownWhenAnotherLeaderOfItsTermAppears()
    {
        var g = new ScriptedGroup(3, o => o.PreVote = false);
        g[2].Campaign();
        g.Drain(2);
        g.InFlight.Clear();
        Assert.Equal(RaftRole.Candidate, g[2].Role);
        g.Step(new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Term = g[2].Term });
        Assert.Equal(RaftRole.Follower, g[2].Role);
        Assert.Equal(1UL, g[2].Leader);
    }

    [Fact]
    public void CandidateLosingAMajorityReturnsToFollower()
    {
        var g = new ScriptedGroup(3, o => o.PreVote = false);
        g.Elect(1);
        g.Propose(1, "a");
        g.DeliverAll();
        // Node 3 forgets nothing but misses the next entry; then it campaigns with a stale log (§5.4.1).
        g.Isolate(3);
        g.Propose(1, "b");
        g.DeliverAll();
        g.Heal();
        g[3].Campaign();
        g.Drain(3);
        g.DeliverAll();
        Assert.NotEqual(RaftRole.Leader, g[3].Role);
    }

    [Fact]
    public void SplitVotesResolveAsTimeoutsDiverge()
    {
        var g = new ScriptedGroup(5, o => o.PreVote = false);
        g.TickAll(200);
        var leaders = g.Ids.Where(id => g[id].Role == RaftRole.Leader).ToList();
        Assert.Single(leaders);
        Assert.All(g.Ids, id => Assert.Equal(leaders[0], g[id].Leader));
    }
}
