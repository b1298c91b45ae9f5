namespace IceFire.Raft;

public sealed partial class RaftNode
{
    private const int QuietTimeoutElections = 10;
    private bool _quiesced;
    private int _idleTicks;
    private int _quietTicks;

    /// <summary>
    /// Whether the group is quiet: a leader that stopped heartbeating, or a follower that stopped its election timer,
    /// because nothing happened for <see cref="RaftOptions.QuiesceAfterTicks"/> ticks.
    /// </summary>
    public bool Quiesced => _quiesced;

    /// <summary>
    /// The host lost its link to <paramref name="node"/>. A quiet follower whose leader lives there restarts its election
    /// timer; a leader stops streaming to that member and probes it again.
    /// </summary>
    public void ReportUnreachable(ulong node)
    {
        EnsureNoReadyOutstanding();
        if (Role == RaftRole.Leader)
        {
            if (_progress.TryGetValue(node, out var pr) && pr.State == ProgressState.Replicate) pr.BecomeProbe();
        }
        else if (node == Leader)
        {
            _quiesced = false;
        }
    }

    /// <summary>
    /// Follower: a quiet timer still runs, ten election timeouts long, as a backstop in case a report of the leader's
    /// loss never comes (for example a quiesce heartbeat that arrived after the report). When it fires, the follower
    /// asks the leader whether it is still there (a heartbeat answer marked quiesce) and restarts its election timer:
    /// a live, quiet leader answers with one quiesce heartbeat to that follower alone; a dead one is replaced.
    /// </summary>
    private bool QuietTick()
    {
        if (++_quietTicks < QuietTimeoutElections * _options.ElectionTicks) return true;
        _quiesced = false;
        _quietTicks = 0;
        _electionElapsed = 0;
        if (Leader != None) Send(new Message { Type = MessageType.HeartbeatResponse, To = Leader, Quiesce = true });
        return true;
    }

    /// <summary>Leader: a quiet follower asked whether we are alive; answer it alone and stay quiet.</summary>
    private void AnswerQuietProbe(ulong to, Progress pr) =>
        Send(new Message { Type = MessageType.Heartbeat, To = to, Commit = Math.Min(pr.Match, _log.Committed), Quiesce = true });

    /// <summary>Leader: whether the group has been idle long enough, with every member holding the whole log.</summary>
    private bool ReadyToQuiesce()
    {
        if (_options.QuiesceAfterTicks <= 0) return false;
        var idle = LeadTransferee == None && _pendingReads.Count == 0 && _readsAwaitingCommit.Count == 0
            && _log.Committed == _log.LastIndex && CommittedInCurrentTerm;
        if (idle)
        {
            foreach (var (id, pr) in _progress)
            {
                if (id != Id && (pr.Match != _log.LastIndex || pr.State != ProgressState.Replicate))
                {
                    idle = false;
                    break;
                }
            }
        }

        // Followers learn the final commit index from the heartbeats sent during the idle ticks.
        _idleTicks = idle ? _idleTicks + 1 : 0;
        return _idleTicks >= _options.QuiesceAfterTicks;
    }

    /// <summary>Leader: resume heartbeats and check-quorum; followers wake on the next message from us.</summary>
    private void WakeUp()
    {
        _idleTicks = 0;
        if (!_quiesced) return;
        _quiesced = false;
        if (Role != RaftRole.Leader) return;
        _electionElapsed = 0;
        _heartbeatElapsed = _options.HeartbeatTicks;
        foreach (var pr in _progress.Values) pr.RecentActive = true;
    }
}
