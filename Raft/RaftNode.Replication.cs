namespace IceFire.Raft;

public sealed partial class RaftNode
{
    private bool _pendingBroadcast;
    private long _uncommittedBytes;

    /// <summary>
    /// Appends a command to the log if this node leads. Proposals made between two batches are sent to followers
    /// together when the host takes the next <see cref="Ready"/>.
    /// </summary>
    public ProposeResult Propose(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        EnsureNoReadyOutstanding();
        if (Role != RaftRole.Leader) return new ProposeResult(Leader == None ? ProposeStatus.NoLeader : ProposeStatus.NotLeader, 0, 0);
        if (LeadTransferee != None) return new ProposeResult(ProposeStatus.TransferInProgress, 0, 0);
        if (_options.MaxUncommittedBytes > 0 && _uncommittedBytes > 0 && _uncommittedBytes + data.Length > _options.MaxUncommittedBytes)
            return new ProposeResult(ProposeStatus.RetryLater, 0, 0);
        WakeUp();
        var e = AppendAsLeader(EntryType.Normal, data);
        return new ProposeResult(ProposeStatus.Accepted, e.Index, e.Term);
    }

    private Entry AppendAsLeader(EntryType type, byte[] data)
    {
        var e = new Entry(_log.LastIndex + 1, Term, type, data);
        _log.Append(e);
        _uncommittedBytes += data.Length;
        if (_progress.TryGetValue(Id, out var self)) self.MaybeUpdate(e.Index);
        if (type == EntryType.Config) TrackConfigEntry(e);
        _pendingBroadcast = true;
        // A single voter commits on its own.
        MaybeCommit();
        return e;
    }

    private void TickLeader()
    {
        _tickCount++;
        if (_quiesced) return;
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_electionElapsed >= _options.ElectionTicks)
        {
            _electionElapsed = 0;
            if (_options.CheckQuorum && !QuorumActive())
            {
                // Dissertation §6.2: a leader that cannot reach a quorum steps down so clients look elsewhere.
                BecomeFollower(Term, None);
                return;
            }

            foreach (var (id, pr) in _progress) pr.RecentActive = id == Id;
            AbortTransfer();
        }

        if (_heartbeatElapsed >= _options.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            _quiesced = ReadyToQuiesce();
            BroadcastHeartbeat(quiesce: _quiesced);
        }
    }

    private bool QuorumActive()
    {
        var active = 0;
        foreach (var id in Config.Voters)
        {
            if (id == Id || (_progress.TryGetValue(id, out var pr) && pr.RecentActive)) active++;
        }

        return active >= Config.Quorum;
    }

    private void BroadcastAppend(bool sendIfEmpty)
    {
        foreach (var id in _progress.Keys)
        {
            if (id != Id) MaybeSendAppend(id, sendIfEmpty);
        }
    }

    /// <summary>Sends the next batch of entries (or a snapshot) to <paramref name="to"/>; false when nothing was sent.</summary>
    private bool MaybeSendAppend(ulong to, bool sendIfEmpty)
    {
        var pr = _progress[to];
        if (pr.IsPaused) return false;
        var prevIndex = pr.Next - 1;
        if (!_log.TryTerm(prevIndex, out var prevTerm))
        {
            // The entries the follower needs were compacted away (§7).
            StartSnapshot(to, pr);
            return true;
        }

        var entries = _log.Slice(pr.Next, _log.LastIndex, _options.MaxBytesPerMessage, _options.MaxEntriesPerMessage);
        if (entries.Count == 0 && !sendIfEmpty) return false;
        Send(new Message
        {
            Type = MessageType.Append,
            To = to,
            Index = prevIndex,
            LogTerm = prevTerm,
            Entries = entries,
            Commit = _log.Committed,
        });
        pr.SentAppend(entries.Count > 0 ? entries[^1].Index : prevIndex, entries.Count > 0);
        return true;
    }

    private void HandleAppendResponse(Message m, Progress pr)
    {
        if (m.Reject)
        {
            // Fast back-off (§5.3): skip every entry of the follower's conflicting term in one step.
            var probe = m.LogTerm > 0 ? _log.FindConflictByTerm(m.RejectHint, m.LogTerm) : m.RejectHint;
            if (pr.MaybeDecreaseTo(m.Index, probe))
            {
                if (pr.State == ProgressState.Replicate) pr.BecomeProbe();
                MaybeSendAppend(m.From, sendIfEmpty: true);
            }

            return;
        }

        var wasPaused = pr.IsPaused;
        if (!pr.MaybeUpdate(m.Index))
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match >= pr.PendingSnapshot || pr.Match + 1 >= _log.FirstIndex:
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.FreeInflightsUpTo(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            // Followers learn the new commit index with the next append or heartbeat; batch it.
            _pendingBroadcast = true;
        }

        if (Role != RaftRole.Leader) return;
        if (wasPaused || pr.State == ProgressState.Replicate)
        {
            while (MaybeSendAppend(m.From, sendIfEmpty: false))
            {
            }
        }

        if (m.From == LeadTransferee && pr.Match == _log.LastIndex) SendTimeoutNow(m.From);
    }

    private void HandleHeartbeatResponse(Message m, Progress pr)
    {
        pr.ProbeSent = false;
        if (pr.State == ProgressState.Replicate && pr.InflightFull) pr.FreeFirstInflight();
        if (pr.State == ProgressState.Snapshot) SendSnapshotChunk(m.From, pr);
        else if (pr.Match < _log.LastIndex) MaybeSendAppend(m.From, sendIfEmpty: true);
        if (m.Context > pr.AckedRound) pr.AckedRound = m.Context;
        ReleaseReads();
    }

    /// <summary>Advances the commit index to the highest index stored on a quorum, if it is of the current term (§5.4.2).</summary>
    private bool MaybeCommit()
    {
        var voters = Config.Voters;
        if (voters.Count == 0) return false;
        Span<ulong> matches = voters.Count <= 64 ? stackalloc ulong[voters.Count] : new ulong[voters.Count];
        for (var i = 0; i < voters.Count; i++)
        {
            matches[i] = _progress.TryGetValue(voters[i], out var pr) ? pr.Match : 0;
        }

        matches.Sort();
        var candidate = matches[voters.Count - Config.Quorum];
        // Never commit an entry of an older term by counting replicas: Figure 8.
        if (candidate <= _log.Committed || !_log.MatchTerm(candidate, Term)) return false;
        for (var i = _log.Committed + 1; i <= candidate; i++) _uncommittedBytes -= _log.At(i).Data.Length;
        if (_uncommittedBytes < 0) _uncommittedBytes = 0;
        _log.Committed = candidate;
        OnLeaderCommitted();
        return true;
    }

    private void HandleAppend(Message m)
    {
        if (m.Index < _log.Committed)
        {
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = _log.Committed });
            return;
        }

        if (_log.MatchTerm(m.Index, m.LogTerm))
        {
            var lastNew = m.Index + (ulong)m.Entries.Count;
            var firstNew = _log.AppendFromLeader(m.Entries);
            if (firstNew != 0)
            {
                // Dissertation §4.1: a server uses the latest configuration in its log, committed or not, so a
                // truncation must fall back to an earlier one.
                UntrackConfigFrom(firstNew);
                foreach (var e in m.Entries)
                {
                    if (e.Index >= firstNew && e.Type == EntryType.Config) TrackConfigEntry(e);
                }
            }

            CommitTo(Math.Min(m.Commit, lastNew));
            Send(new Message { Type = MessageType.AppendResponse, To = m.From, Index = lastNew });
            return;
        }

        // Tell the leader where our log might match it: the last index whose term is not above the leader's.
        var hint = _log.FindConflictByTerm(Math.Min(m.Index, _log.LastIndex), m.LogTerm);
        _log.TryTerm(hint, out var hintTerm);
        Send(new Message
        {
            Type = MessageType.AppendResponse,
            To = m.From,
            Index = m.Index,
            Reject = true,
            RejectHint = hint,
            LogTerm = hintTerm,
        });
    }

    private void HandleHeartbeat(Message m)
    {
        CommitTo(Math.Min(m.Commit, _log.LastIndex));
        Send(new Message { Type = MessageType.HeartbeatResponse, To = m.From, Context = m.Context });
    }

    private void CommitTo(ulong index)
    {
        if (index <= _log.Committed) return;
        if (index > _log.LastIndex) RaftInvariantException.Throw($"commit {index} beyond last index {_log.LastIndex}");
        _log.Committed = index;
    }
}
