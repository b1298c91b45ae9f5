namespace IceFire.Raft;

public sealed partial class RaftNode
{
    private readonly List<Entry> _configEntries = [];
    private ConfState _snapshotConfig;

    /// <summary>
    /// Membership in force: the latest configuration entry in the log, committed or not (dissertation §4.1), else
    /// the snapshot's.
    /// </summary>
    public ConfState Config { get; private set; } = ConfState.Empty;

    /// <summary>Index of the latest configuration entry in the log (0 when the snapshot's membership holds).</summary>
    public ulong ConfigIndex => _configEntries.Count == 0 ? 0 : _configEntries[^1].Index;

    /// <summary>
    /// Proposes adding, promoting, demoting or removing one server (dissertation §4.1). Only one change may be
    /// uncommitted at a time, and none before the leader has committed an entry of its own term: the fix for the
    /// single-server change bug found in 2015, so that two leaders of overlapping terms cannot act on disjoint
    /// configurations.
    /// </summary>
    public ProposeResult ProposeConfChange(ConfChange change)
    {
        EnsureNoReadyOutstanding();
        if (Role != RaftRole.Leader) return new ProposeResult(Leader == None ? ProposeStatus.NoLeader : ProposeStatus.NotLeader, 0, 0);
        if (LeadTransferee != None) return new ProposeResult(ProposeStatus.TransferInProgress, 0, 0);
        if (!CommittedInCurrentTerm || ConfigIndex > _log.Committed) return new ProposeResult(ProposeStatus.RetryLater, 0, 0);
        var next = Config.Apply(change);
        if (next is null) return new ProposeResult(ProposeStatus.Rejected, 0, 0);
        WakeUp();
        var e = AppendAsLeader(EntryType.Config, next.Encode());
        return new ProposeResult(ProposeStatus.Accepted, e.Index, e.Term);
    }

    private bool CommittedInCurrentTerm => _log.MatchTerm(_log.Committed, Term);

    private void TrackConfigEntry(Entry e)
    {
        if (e.Type != EntryType.Config) return;
        _configEntries.Add(e);
        SetConfig(ConfState.Decode(e.Data));
    }

    private void UntrackConfigFrom(ulong index)
    {
        var removed = false;
        while (_configEntries.Count > 0 && _configEntries[^1].Index >= index)
        {
            _configEntries.RemoveAt(_configEntries.Count - 1);
            removed = true;
        }

        if (removed) SetConfig(_configEntries.Count == 0 ? _snapshotConfig : ConfState.Decode(_configEntries[^1].Data));
    }

    /// <summary>Membership as of <paramref name="index"/> (for a snapshot taken there).</summary>
    private ConfState ConfigAt(ulong index)
    {
        for (var i = _configEntries.Count - 1; i >= 0; i--)
        {
            if (_configEntries[i].Index <= index) return ConfState.Decode(_configEntries[i].Data);
        }

        return _snapshotConfig;
    }

    private void SetConfig(ConfState next)
    {
        Config = next;
        if (Role != RaftRole.Leader) return;
        foreach (var id in next.Voters) AddProgress(id);
        foreach (var id in next.Learners) AddProgress(id);
        List<ulong>? gone = null;
        foreach (var id in _progress.Keys)
        {
            if (!next.IsMember(id) && id != Id) (gone ??= []).Add(id);
        }

        if (gone is not null)
        {
            foreach (var id in gone) _progress.Remove(id);
        }

        if (LeadTransferee != None && !next.IsVoter(LeadTransferee)) AbortTransfer();
        // A smaller quorum may commit what is already stored.
        if (MaybeCommit()) _pendingBroadcast = true;
    }

    /// <summary>Runs when the leader's commit index advanced.</summary>
    private void OnLeaderCommitted()
    {
        if (CommittedInCurrentTerm) ReleaseReadsAwaitingCommit();
        if (!Config.IsVoter(Id) && ConfigIndex <= _log.Committed)
        {
            // Dissertation §4.2.2: a leader removed from the configuration steps down once the change commits.
            _pendingBroadcast = false;
            BroadcastAppend(sendIfEmpty: true);
            BecomeFollower(Term, None);
        }
    }
}
