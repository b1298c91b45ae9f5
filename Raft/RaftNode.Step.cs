namespace IceFire.Raft;

public sealed partial class RaftNode
{
    /// <summary>
    /// Feeds one message from another member. Messages for another node, from an older term, or that make no sense
    /// in the current role are dropped and counted in <see cref="Counters"/>; they never change state.
    /// </summary>
    public void Step(Message m)
    {
        ArgumentNullException.ThrowIfNull(m);
        EnsureNoReadyOutstanding();
        if (m.To != Id || m.From == None || m.From == Id)
        {
            Counters.DroppedMisaddressed++;
            return;
        }

        if (!WellFormed(m))
        {
            Counters.DroppedMalformed++;
            return;
        }

        // A quiescent leader wakes for anything but the answers to its own heartbeats: a member that is not quiet
        // (restarted, missed the quiesce, or checking on us) must hear from it again.
        if (_quiesced && Role == RaftRole.Leader && m.Type != MessageType.HeartbeatResponse) WakeUp();
        if (m.Term > Term)
        {
            if (m.Type is MessageType.RequestVote or MessageType.RequestPreVote)
            {
                var forced = m.Type == MessageType.RequestVote && m.Context == Message.TransferContext;
                if (!forced && _quiesced && Role == RaftRole.Follower && Leader != None && _options.ReadMode != ReadMode.LeaseBased)
                {
                    // A quiet follower's timer stands still, so its lease proves nothing: a member may have learned
                    // that the leader is gone. Check on the leader and start the timer; if the leader answers, its
                    // lease holds again, and if not, a later request finds this member out of lease and votes.
                    _quiesced = false;
                    _quietTicks = 0;
                    _electionElapsed = 0;
                    Send(new Message { Type = MessageType.HeartbeatResponse, To = Leader, Quiesce = true });
                    Counters.DroppedInLease++;
                    return;
                }
                if (!forced && InLease())
                {
                    // Dissertation §4.2.3: a member that hears from a leader ignores vote requests, so a removed or
                    // partitioned server cannot depose a working leader.
                    Counters.DroppedInLease++;
                    return;
                }
            }

            if (m.Type == MessageType.RequestPreVote || (m.Type == MessageType.RequestPreVoteResponse && !m.Reject))
            {
                // A pre-vote never changes anyone's term (§9.6); a granted pre-vote carries the future term.
            }
            else
            {
                var leader = m.Type is MessageType.Append or MessageType.Heartbeat or MessageType.Snapshot ? m.From : None;
                BecomeFollower(m.Term, leader);
            }
        }
        else if (m.Term < Term)
        {
            if ((_options.CheckQuorum || _options.PreVote) && m.Type is MessageType.Append or MessageType.Heartbeat)
            {
                // A deposed leader cut off by pre-vote would never learn the new term otherwise (§9.6).
                Send(new Message { Type = MessageType.AppendResponse, To = m.From });
            }
            else if (m.Type == MessageType.RequestPreVote)
            {
                Send(new Message { Type = MessageType.RequestPreVoteResponse, To = m.From, Reject = true });
            }

            Counters.DroppedStaleTerm++;
            return;
        }

        if (m.Type is MessageType.RequestVote or MessageType.RequestPreVote)
        {
            HandleVoteRequest(m);
            return;
        }

        switch (Role)
        {
            case RaftRole.Leader:
                StepLeader(m);
                break;
            case RaftRole.Candidate:
            case RaftRole.PreCandidate:
                StepCandidate(m);
                break;
            default:
                StepFollower(m);
                break;
        }
    }

    /// <summary>Checks what a correct peer always sends, so bad input cannot trip an invariant and stop the node.</summary>
    private bool WellFormed(Message m)
    {
        if (!Enum.IsDefined(m.Type)) return false;
        if (m.Type == MessageType.Snapshot && m.Snapshot is null) return false;
        if (m.Type != MessageType.Append) return true;
        var expected = m.Index + 1;
        var lastTerm = m.LogTerm;
        foreach (var e in m.Entries)
        {
            // Entries follow the previous one without gaps, in non-decreasing terms no later than the leader's.
            if (e.Index != expected++ || e.Term < lastTerm || e.Term > m.Term || !Enum.IsDefined(e.Type)) return false;
            lastTerm = e.Term;
        }

        return true;
    }

    private void StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Append:
                _electionElapsed = 0;
                _quiesced = false;
                Leader = m.From;
                HandleAppend(m);
                break;
            case MessageType.Heartbeat:
                _electionElapsed = 0;
                _quiesced = m.Quiesce;
                _quietTicks = 0;
                Leader = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.Snapshot:
                _electionElapsed = 0;
                _quiesced = false;
                Leader = m.From;
                HandleSnapshotChunk(m);
                break;
            case MessageType.TimeoutNow:
                HandleTimeoutNow();
                break;
            case MessageType.ReadIndexResponse:
                _readStates.Add(new ReadState(m.Index, m.Context));
                break;
            default:
                Counters.DroppedUnexpected++;
                break;
        }
    }

    private void StepCandidate(Message m)
    {
        switch (m.Type)
        {
            case MessageType.Append or MessageType.Heartbeat or MessageType.Snapshot:
                // Another server won this term (§5.2).
                BecomeFollower(Term, m.From);
                StepFollower(m);
                break;
            case MessageType.RequestVoteResponse when Role == RaftRole.Candidate:
            case MessageType.RequestPreVoteResponse when Role == RaftRole.PreCandidate:
                HandleVoteResponse(m);
                break;
            default:
                Counters.DroppedUnexpected++;
                break;
        }
    }

    private void StepLeader(Message m)
    {
        if (m.Type == MessageType.ReadIndex)
        {
            HandleReadIndexRequest(m.From, m.Context);
            return;
        }

        if (!_progress.TryGetValue(m.From, out var pr))
        {
            Counters.DroppedUnknownSender++;
            return;
        }

        switch (m.Type)
        {
            case MessageType.AppendResponse when !m.Reject && m.Index > _log.LastIndex:
                // An acknowledgement of entries this leader never had.
                Counters.DroppedMalformed++;
                break;
            case MessageType.AppendResponse:
                pr.RecentActive = true;
                HandleAppendResponse(m, pr);
                break;
            case MessageType.HeartbeatResponse when m.Quiesce && _quiesced:
                AnswerQuietProbe(m.From, pr);
                break;
            case MessageType.HeartbeatResponse:
                pr.RecentActive = true;
                HandleHeartbeatResponse(m, pr);
                break;
            case MessageType.SnapshotResponse:
                pr.RecentActive = true;
                HandleSnapshotResponse(m, pr);
                break;
            default:
                Counters.DroppedUnexpected++;
                break;
        }
    }
}
