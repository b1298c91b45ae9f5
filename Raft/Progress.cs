namespace IceFire.Raft;

/// <summary>How the leader replicates to one follower.</summary>
internal enum ProgressState
{
    /// <summary>One append at a time until the match point is found.</summary>
    Probe = 0,

    /// <summary>Pipelined appends within the in-flight window.</summary>
    Replicate = 1,

    /// <summary>An InstallSnapshot transfer is under way.</summary>
    Snapshot = 2,
}

/// <summary>The leader's view of one member (§5.3 nextIndex/matchIndex plus flow control).</summary>
internal sealed class Progress(ulong next, int maxInflight)
{
    private readonly Queue<ulong> _inflight = new();

    public ulong Match { get; set; }

    public ulong Next { get; set; } = next;

    public ProgressState State { get; private set; }

    /// <summary>In probe state: an append is outstanding; wait for its answer or the next heartbeat answer.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>Heard from in the current check-quorum period.</summary>
    public bool RecentActive { get; set; } = true;

    /// <summary>Index of the snapshot being sent in snapshot state.</summary>
    public ulong PendingSnapshot { get; private set; }

    /// <summary>Next snapshot byte the follower expects.</summary>
    public ulong SnapshotOffset { get; set; }

    /// <summary>Highest heartbeat round the member acknowledged in this term.</summary>
    public ulong AckedRound { get; set; }

    public bool InflightFull => _inflight.Count >= maxInflight;

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => InflightFull,
        _ => true,
    };

    public void BecomeProbe()
    {
        Next = State == ProgressState.Snapshot ? Math.Max(Match + 1, PendingSnapshot + 1) : Match + 1;
        State = ProgressState.Probe;
        ProbeSent = false;
        PendingSnapshot = 0;
        _inflight.Clear();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match + 1;
        ProbeSent = false;
        _inflight.Clear();
    }

    public void BecomeSnapshot(ulong index)
    {
        State = ProgressState.Snapshot;
        PendingSnapshot = index;
        SnapshotOffset = 0;
        _inflight.Clear();
    }

    /// <summary>Records an acknowledgement up to <paramref name="index"/>; false when it is stale.</summary>
    public bool MaybeUpdate(ulong index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            ProbeSent = false;
            updated = true;
        }

        if (Next < index + 1) Next = index + 1;
        return updated;
    }

    /// <summary>
    /// Handles a rejection of the append whose previous index was <paramref name="rejected"/>; <paramref name="probe"/>
    /// is the last index the follower may share with us. False when the rejection is stale.
    /// </summary>
    public bool MaybeDecreaseTo(ulong rejected, ulong probe)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match) return false;
            Next = Math.Max(Match + 1, Math.Min(rejected, probe + 1));
            return true;
        }

        if (Next - 1 != rejected) return false;
        Next = Math.Max(Match + 1, Math.Min(rejected, probe + 1));
        ProbeSent = false;
        return true;
    }

    /// <summary>Notes an append carrying entries up to <paramref name="last"/> (or none).</summary>
    public void SentAppend(ulong last, bool hadEntries)
    {
        if (State == ProgressState.Replicate && hadEntries)
        {
            Next = last + 1;
            _inflight.Enqueue(last);
        }
        else if (State == ProgressState.Probe)
        {
            ProbeSent = true;
        }
    }

    /// <summary>Frees in-flight slots acknowledged up to <paramref name="index"/>.</summary>
    public void FreeInflightsUpTo(ulong index)
    {
        while (_inflight.Count > 0 && _inflight.Peek() <= index) _inflight.Dequeue();
    }

    /// <summary>Frees one slot so a heartbeat answer can unblock a window whose acks were lost.</summary>
    public void FreeFirstInflight()
    {
        if (_inflight.Count > 0) _inflight.Dequeue();
    }

    public override string ToString() => $"{State} match={Match} next={Next} inflight={_inflight.Count}";
}
