namespace IceFire.Raft;

public sealed partial class RaftNode
{
    private readonly List<ReadState> _readStates = [];
    private readonly List<PendingRead> _pendingReads = [];
    private readonly List<(ulong From, ulong Context)> _readsAwaitingCommit = [];
    private readonly List<(ulong Round, long Tick)> _roundTicks = [];
    private ulong _round;
    private long _tickCount;
    private bool _leaseRevoked;
    private bool _pendingReadRound;

    /// <summary>
    /// Asks for a linearizable read point (dissertation §6.4). When leadership is confirmed, a <see cref="ReadState"/>
    /// with <paramref name="context"/> appears in a later <see cref="Ready"/>; the application serves the read once it
    /// has applied that index. A follower forwards the request to its leader. Requests lost on a leader change get no
    /// answer; callers retry after a timeout.
    /// </summary>
    public ProposeStatus ReadIndex(ulong context)
    {
        EnsureNoReadyOutstanding();
        WakeUp();
        if (Role == RaftRole.Leader)
        {
            HandleReadIndexRequest(Id, context);
            return ProposeStatus.Accepted;
        }

        if (Leader == None) return ProposeStatus.NoLeader;
        Send(new Message { Type = MessageType.ReadIndex, To = Leader, Context = context });
        return ProposeStatus.Accepted;
    }

    private void HandleReadIndexRequest(ulong from, ulong context)
    {
        if (!CommittedInCurrentTerm)
        {
            // §6.4 step 1: until an entry of this term commits, the leader's commit index may be stale.
            _readsAwaitingCommit.Add((from, context));
            return;
        }

        if (Config.Voters.Count == 1 && Config.IsVoter(Id) || LeaseValid())
        {
            RespondRead(from, _log.Committed, context);
            return;
        }

        // Every read waiting for the next round shares one heartbeat broadcast, sent when the batch is taken.
        _pendingReads.Add(new PendingRead(from, context, _log.Committed, _round + 1));
        _pendingReadRound = true;
    }

    private void ReleaseReadsAwaitingCommit()
    {
        if (_readsAwaitingCommit.Count == 0) return;
        var waiting = _readsAwaitingCommit.ToArray();
        _readsAwaitingCommit.Clear();
        foreach (var (from, context) in waiting) HandleReadIndexRequest(from, context);
    }

    private void BroadcastHeartbeat(bool quiesce = false)
    {
        _pendingReadRound = false;
        _round++;
        _roundTicks.Add((_round, _tickCount));
        foreach (var (id, pr) in _progress)
        {
            if (id == Id) continue;
            Send(new Message
            {
                Type = MessageType.Heartbeat,
                To = id,
                Commit = Math.Min(pr.Match, _log.Committed),
                Context = _round,
                Quiesce = quiesce,
            });
        }
    }

    /// <summary>Highest heartbeat round acknowledged by a quorum of voters (the leader acknowledges every round).</summary>
    private ulong QuorumAckedRound()
    {
        var voters = Config.Voters;
        if (voters.Count == 0) return 0;
        Span<ulong> rounds = voters.Count <= 64 ? stackalloc ulong[voters.Count] : new ulong[voters.Count];
        for (var i = 0; i < voters.Count; i++)
        {
            rounds[i] = voters[i] == Id ? _round : _progress.TryGetValue(voters[i], out var pr) ? pr.AckedRound : 0;
        }

        rounds.Sort();
        return rounds[voters.Count - Config.Quorum];
    }

    private void ReleaseReads()
    {
        var acked = QuorumAckedRound();
        var released = 0;
        while (released < _pendingReads.Count && _pendingReads[released].Round <= acked)
        {
            var r = _pendingReads[released++];
            RespondRead(r.From, r.Index, r.Context);
        }

        if (released > 0) _pendingReads.RemoveRange(0, released);
        var stale = 0;
        while (stale < _roundTicks.Count - 1 && _roundTicks[stale + 1].Round <= acked) stale++;
        if (stale > 0) _roundTicks.RemoveRange(0, stale);
    }

    /// <summary>
    /// The lease holds while less than ElectionTicks - LeaseMarginTicks have passed since the leader sent the latest
    /// heartbeat a quorum acknowledged: every member of that quorum refuses votes for ElectionTicks after receiving it.
    /// </summary>
    private bool LeaseValid()
    {
        if (_options.ReadMode != ReadMode.LeaseBased || _leaseRevoked || LeadTransferee != None) return false;
        var acked = QuorumAckedRound();
        long sent = -1;
        foreach (var (round, tick) in _roundTicks)
        {
            if (round == acked) sent = tick;
        }

        return sent >= 0 && _tickCount < sent + _options.ElectionTicks - _options.LeaseMarginTicks;
    }

    private void RespondRead(ulong from, ulong index, ulong context)
    {
        if (from == Id) _readStates.Add(new ReadState(index, context));
        else Send(new Message { Type = MessageType.ReadIndexResponse, To = from, Index = index, Context = context });
    }

    private void ResetReads()
    {
        _pendingReads.Clear();
        _readsAwaitingCommit.Clear();
        _leaseRevoked = false;
        _pendingReadRound = false;
    }

    private readonly record struct PendingRead(ulong From, ulong Context, ulong Index, ulong Round);
}
