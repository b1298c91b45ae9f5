namespace IceFire.Raft;

public sealed partial class RaftNode
{
    private bool _startupQuiet;

    /// <summary>Whether this node may campaign: it is a voter in its latest configuration.</summary>
    public bool Promotable => Config.IsVoter(Id);

    /// <summary>Starts an election now (pre-vote first when enabled), as if the election timer had fired.</summary>
    public void Campaign()
    {
        EnsureNoReadyOutstanding();
        if (Role != RaftRole.Leader) StartCampaign(preVote: _options.PreVote, transfer: false);
    }

    /// <summary>Check-quorum stickiness: a leader was heard from within the election timeout.</summary>
    private bool InLease() =>
        _options.CheckQuorum && ((Leader != None && _electionElapsed < _options.ElectionTicks) || _startupQuiet);

    private void TickElection()
    {
        if (_quiesced && QuietTick()) return;
        _electionElapsed++;
        if (_startupQuiet && _electionElapsed >= _options.ElectionTicks) _startupQuiet = false;
        if (Promotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            StartCampaign(preVote: _options.PreVote, transfer: false);
        }
    }

    private void StartCampaign(bool preVote, bool transfer)
    {
        if (!Promotable) return;
        Counters.Campaigns++;
        ulong voteTerm;
        if (preVote)
        {
            Reset(Term);
            Role = RaftRole.PreCandidate;
            voteTerm = Term + 1;
        }
        else
        {
            Reset(Term + 1);
            _vote = Id;
            Role = RaftRole.Candidate;
            voteTerm = Term;
        }

        _votes[Id] = true;
        if (TallyVotes() == VoteResult.Won)
        {
            WinVote(preVote);
            return;
        }

        foreach (var id in Config.Voters)
        {
            if (id == Id) continue;
            Send(new Message
            {
                Type = preVote ? MessageType.RequestPreVote : MessageType.RequestVote,
                To = id,
                Term = voteTerm,
                Index = _log.LastIndex,
                LogTerm = _log.LastTerm,
                Context = transfer ? Message.TransferContext : 0,
            });
        }
    }

    private void WinVote(bool preVote)
    {
        if (preVote) StartCampaign(preVote: false, transfer: false);
        else BecomeLeader();
    }

    private void HandleVoteRequest(Message m)
    {
        var pre = m.Type == MessageType.RequestPreVote;
        // §5.2: one vote per term, first come first served; a pre-vote for a later term binds nothing.
        var canVote = _vote == m.From || (_vote == None && Leader == None) || (pre && m.Term > Term);
        var respType = pre ? MessageType.RequestPreVoteResponse : MessageType.RequestVoteResponse;
        if (canVote && _log.IsUpToDate(m.Index, m.LogTerm))
        {
            // §5.4.1: only a candidate whose log is at least as up-to-date as ours gets the vote.
            Send(new Message { Type = respType, To = m.From, Term = m.Term });
            if (!pre)
            {
                _electionElapsed = 0;
                _vote = m.From;
            }
        }
        else
        {
            Send(new Message { Type = respType, To = m.From, Reject = true });
        }
    }

    private void HandleVoteResponse(Message m)
    {
        // A granted pre-vote carries the term we would campaign in; anything else is left over from an older round.
        if (Role == RaftRole.PreCandidate && !m.Reject && m.Term != Term + 1) return;
        if (!Config.IsVoter(m.From)) return;
        _votes.TryAdd(m.From, !m.Reject);
        switch (TallyVotes())
        {
            case VoteResult.Won:
                WinVote(Role == RaftRole.PreCandidate);
                break;
            case VoteResult.Lost:
                BecomeFollower(Term, None);
                break;
        }
    }

    private VoteResult TallyVotes()
    {
        int granted = 0, rejected = 0;
        foreach (var id in Config.Voters)
        {
            if (!_votes.TryGetValue(id, out var v)) continue;
            if (v) granted++;
            else rejected++;
        }

        if (granted >= Config.Quorum) return VoteResult.Won;
        return rejected >= Config.Quorum || rejected > Config.Voters.Count - Config.Quorum ? VoteResult.Lost : VoteResult.Pending;
    }

    private void BecomeLeader()
    {
        Reset(Term);
        Role = RaftRole.Leader;
        Leader = Id;
        foreach (var id in Config.Voters) AddProgress(id);
        foreach (var id in Config.Learners) AddProgress(id);
        _roundTicks.Clear();
        // The no-op of the new term: it lets the leader commit earlier entries (§5.4.2, §8) and is the fix that makes
        // single-server membership changes safe (no change is proposed before an entry of this term commits).
        AppendAsLeader(EntryType.Normal, []);
        BroadcastAppend(sendIfEmpty: true);
    }

    private void AddProgress(ulong id)
    {
        if (_progress.ContainsKey(id)) return;
        var pr = new Progress(_log.LastIndex + 1, _options.MaxInflightMessages);
        if (id == Id) pr.Match = _log.LastIndex;
        _progress[id] = pr;
    }

    private enum VoteResult
    {
        Pending,
        Won,
        Lost,
    }
}
