namespace IceFire.Raft;

/// <summary>
/// One member of one Raft group, as a deterministic state machine: no I/O, no clock, no threads. The host feeds it
/// <see cref="Tick"/>, <see cref="Step"/>, <see cref="Propose"/> and <see cref="ReadIndex"/>, then drains the work it
/// produced with <see cref="GetReady"/> and acknowledges it with <see cref="Advance"/> (see <see cref="Ready"/> for
/// the persist, send, apply order). Not thread-safe: one caller at a time.
/// </summary>
public sealed partial class RaftNode
{
    private const ulong None = 0;

    private readonly RaftOptions _options;
    private readonly Random _random;
    private readonly RaftLog _log;
    private readonly Dictionary<ulong, Progress> _progress = [];
    private readonly Dictionary<ulong, bool> _votes = [];
    private List<Message> _messages = [];
    private ulong _vote;
    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private bool _readyOutstanding;
    private HardState _lastHardState;
    private SoftState _lastSoftState;
    private ConfState? _lastConfig;
    private ulong _applying;

    /// <summary>Creates a node from its durable state (see <see cref="RaftInitialState"/>).</summary>
    public RaftNode(RaftOptions options, RaftInitialState state)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        if (options.Id == None) throw new ArgumentException("node id 0 is reserved", nameof(options));
        if (options.HeartbeatTicks <= 0 || options.ElectionTicks <= options.HeartbeatTicks)
            throw new ArgumentException("ElectionTicks must exceed HeartbeatTicks, both positive", nameof(options));
        if (options.ReadMode == ReadMode.LeaseBased && !options.CheckQuorum)
            throw new ArgumentException("lease-based reads require CheckQuorum", nameof(options));
        _options = options;
        Id = options.Id;
        _random = options.Random ?? new Random(unchecked((int)Id));
        var meta = state.Snapshot.Metadata;
        _log = new RaftLog(meta, state.Entries, state.HardState.Commit);
        (_snapshotMeta, _snapshotLength) = (meta, state.Snapshot.Length);
        _snapshotConfig = meta.Config;
        Config = meta.Config;
        foreach (var e in state.Entries) TrackConfigEntry(e);
        Term = state.HardState.Term;
        _vote = state.HardState.Vote;
        _lastHardState = state.HardState;
        Applied = Math.Max(state.Applied, meta.Index);
        if (Applied > _log.Committed) RaftCorruptionException.Throw($"applied index {Applied} is beyond commit {_log.Committed}");
        _applying = Applied;
        BecomeFollower(Term, None);
        // With leases, a restarted node cannot know whether it promised a leader not to vote; it waits one timeout.
        _startupQuiet = options.ReadMode == ReadMode.LeaseBased;
        _lastSoftState = SoftState;
        _lastConfig = Config;
    }

    /// <summary>This node's id.</summary>
    public ulong Id { get; }

    /// <summary>Current term.</summary>
    public ulong Term { get; private set; }

    /// <summary>Known leader of the current term, or 0.</summary>
    public ulong Leader { get; private set; }

    /// <summary>Current role.</summary>
    public RaftRole Role { get; private set; }

    /// <summary>Highest committed index.</summary>
    public ulong Commit => _log.Committed;

    /// <summary>Last index in the log.</summary>
    public ulong LastIndex => _log.LastIndex;

    /// <summary>Term of the last entry in the log.</summary>
    public ulong LastTerm => _log.LastTerm;

    /// <summary>First index still in the log (earlier entries are covered by the snapshot).</summary>
    public ulong FirstIndex => _log.FirstIndex;

    /// <summary>Highest index handed to the application and acknowledged through <see cref="Advance"/>.</summary>
    public ulong Applied { get; private set; }

    /// <summary>Leader and role.</summary>
    public SoftState SoftState => new(Leader, Role);

    /// <summary>Hard state as it stands in memory (persisted once the next batch is).</summary>
    public HardState HardState => new(Term, _vote, _log.Committed);

    /// <summary>Why messages were dropped.</summary>
    public RaftCounters Counters { get; } = new();

    /// <summary>Id of the node a leadership transfer targets, or 0.</summary>
    public ulong LeadTransferee { get; private set; }

    /// <summary>Term of the entry at <paramref name="index"/>, if it is still in the log.</summary>
    public bool TryGetTerm(ulong index, out ulong term) => _log.TryTerm(index, out term);

    /// <summary>Entry at <paramref name="index"/>, or null when compacted or beyond the end.</summary>
    public Entry? EntryAt(ulong index) => index >= _log.FirstIndex && index <= _log.LastIndex ? _log.At(index) : null;

    /// <summary>Advances logical time by one tick: elections, heartbeats, check-quorum and transfer time-outs.</summary>
    public void Tick()
    {
        EnsureNoReadyOutstanding();
        if (Role == RaftRole.Leader) TickLeader();
        else TickElection();
    }

    /// <summary>Whether <see cref="GetReady"/> has anything to hand out.</summary>
    public bool HasReady()
    {
        if (_readyOutstanding) return false;
        return _messages.Count > 0 || _pendingBroadcast || _pendingReadRound || _log.UnstableFrom <= _log.LastIndex || _pendingInstall is not null || _incomingChunks.Count > 0
            || _readStates.Count > 0 || HardState != _lastHardState || SoftState != _lastSoftState
            || !ReferenceEquals(Config, _lastConfig) || (_applying < _log.Committed && _applying < _log.LastIndex);
    }

    /// <summary>Takes the pending batch. The node accepts no other call until <see cref="Advance"/>.</summary>
    public Ready GetReady()
    {
        EnsureNoReadyOutstanding();
        if (_pendingBroadcast)
        {
            _pendingBroadcast = false;
            BroadcastAppend(sendIfEmpty: false);
        }

        if (_pendingReadRound && Role == RaftRole.Leader) BroadcastHeartbeat();

        var hs = HardState;
        var entries = _log.UnstableFrom <= _log.LastIndex
            ? _log.Slice(_log.UnstableFrom, _log.LastIndex, long.MaxValue, int.MaxValue)
            : [];
        IReadOnlyList<Entry> committed = [];
        var hi = Math.Min(_log.Committed, _log.LastIndex);
        if (_applying < hi && _pendingInstall is null)
        {
            committed = _log.Slice(Math.Max(_applying + 1, _log.FirstIndex), hi, long.MaxValue, _options.MaxCommittedPerReady);
        }

        var ready = new Ready
        {
            HardState = hs != _lastHardState ? hs : null,
            SoftState = SoftState != _lastSoftState ? SoftState : null,
            Config = ReferenceEquals(Config, _lastConfig) ? null : Config,
            SnapshotChunks = _incomingChunks.Count == 0 ? [] : [.. _incomingChunks],
            Snapshot = _pendingInstall,
            Entries = entries,
            Messages = _messages,
            CommittedEntries = committed,
            ReadStates = _readStates.Count == 0 ? [] : [.. _readStates],
            MustSync = entries.Count > 0 || _pendingInstall is not null || hs.Term != _lastHardState.Term || hs.Vote != _lastHardState.Vote,
        };
        _messages = [];
        _readStates.Clear();
        _incomingChunks.Clear();
        if (committed.Count > 0) _applying = committed[^1].Index;
        _readyOutstanding = true;
        return ready;
    }

    /// <summary>Acknowledges that <paramref name="ready"/> was persisted, sent and applied.</summary>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (!_readyOutstanding) throw new InvalidOperationException("Advance called without an outstanding Ready");
        _readyOutstanding = false;
        if (ready.HardState is { } hs) _lastHardState = hs;
        if (ready.SoftState is { } ss) _lastSoftState = ss;
        if (ready.Config is not null) _lastConfig = ready.Config;
        if (ready.Snapshot is not null)
        {
            Applied = Math.Max(Applied, ready.Snapshot.Metadata.Index);
            _applying = Math.Max(_applying, Applied);
            _pendingInstall = null;
        }

        if (ready.Entries.Count > 0) _log.UnstableFrom = Math.Max(_log.UnstableFrom, ready.Entries[^1].Index + 1);
        if (ready.CommittedEntries.Count > 0) Applied = Math.Max(Applied, ready.CommittedEntries[^1].Index);
    }

    private void EnsureNoReadyOutstanding()
    {
        if (_readyOutstanding) throw new InvalidOperationException("the previous Ready must be advanced first");
    }

    private void Send(Message m)
    {
        m.From = Id;
        if (m.Term == 0) m.Term = Term;
        _messages.Add(m);
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            _vote = None;
        }

        Leader = None;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _options.ElectionTicks + _random.Next(_options.ElectionTicks);
        _votes.Clear();
        _progress.Clear();
        _quiesced = false;
        _idleTicks = 0;
        _uncommittedBytes = 0;
        _pendingBroadcast = false;
        AbortTransfer();
        ResetReads();
    }

    private void BecomeFollower(ulong term, ulong leader)
    {
        Reset(term);
        Role = RaftRole.Follower;
        Leader = leader;
    }
}
