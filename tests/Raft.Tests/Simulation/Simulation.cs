using IceFire.Raft.Tests.Linearizability;

namespace IceFire.Raft.Tests.Simulation;

/// <summary>Thrown when a simulated run breaks a safety property; the message names the seed to replay.</summary>
internal sealed class SimulationFailure(string message) : Exception(message);

/// <summary>Outcome of one run.</summary>
internal sealed record SimResult(int Seed, long Events, long Checks, int Committed, int ClientOpsCompleted, IReadOnlyList<Operation> History, long Messages)
{
    public long QuietTicks { get; init; }
}

/// <summary>
/// A deterministic world for a Raft group: virtual time, one seeded random source for every choice, a lossy network,
/// crashes and restarts from durable state. Safety properties are checked after every event.
/// </summary>
internal sealed partial class Simulation
{
    private readonly PriorityQueue<Action, (long Time, long Seq)> _events = new();
    private readonly SimOptions _options;
    private readonly SafetyChecker _checker = new();
    private readonly SimClients _clients;
    private readonly List<SimNode> _nodes = [];
    private long _seq;
    private long _eventCount;
    private long _messages;

    public Simulation(int seed, SimOptions options)
    {
        Seed = seed;
        _options = options;
        Rng = new Random(seed);
        var voters = Enumerable.Range(1, options.Voters).Select(i => (ulong)i).ToArray();
        for (var i = 1; i <= options.Voters + options.Spares; i++)
        {
            var init = i <= options.Voters ? RaftInitialState.Bootstrap(voters) : RaftInitialState.Joining();
            var node = new SimNode((ulong)i, new DurableState { Snapshot = init.Snapshot, KeepUndo = options.BuggyFsync });
            _nodes.Add(node);
        }

        _clients = new SimClients(this, options);
    }

    public int Seed { get; }

    public Random Rng { get; }

    public long Now { get; private set; }

    public long QuietTicks { get; private set; }

    public IReadOnlyList<SimNode> Nodes => _nodes;

    public static SimResult Run(int seed, SimOptions options) => new Simulation(seed, options).Run();

    public SimResult Run()
    {
        foreach (var node in _nodes)
        {
            node.TickInterval = _options.TickInterval + Rng.Next(_options.TickDrift + 1);
            StartNode(node);
            ScheduleTicks(node, Rng.Next(node.TickInterval));
        }

        ScheduleFaults();
        _clients.Start();
        while (_events.TryDequeue(out var action, out var at) && at.Time <= _options.Duration)
        {
            Now = at.Time;
            _eventCount++;
            action();
        }

        _clients.Finish();
        return new SimResult(Seed, _eventCount, _checker.Checks, _checker.CommittedCount, _clients.Completed, _clients.History, _messages) { QuietTicks = QuietTicks };
    }

    public void Schedule(long delay, Action action) => _events.Enqueue(action, (Now + Math.Max(0, delay), _seq++));

    /// <summary>A node a client would talk to: a live node, redirected to the leader it knows when that one is up.</summary>
    public SimNode? PickClientTarget()
    {
        var node = _nodes[Rng.Next(_nodes.Count)];
        if (node.Raft is null) return null;
        var leader = node.Raft.Leader;
        if (leader != 0 && Rng.Next(4) != 0 && _nodes[(int)leader - 1].Up) return _nodes[(int)leader - 1];
        return node;
    }

    private RaftOptions OptionsFor(ulong id) => new()
    {
        Id = id,
        ElectionTicks = 10,
        HeartbeatTicks = 2,
        PreVote = _options.PreVote,
        CheckQuorum = _options.CheckQuorum,
        ReadMode = _options.ReadMode,
        LeaseMarginTicks = _options.LeaseMarginTicks,
        QuiesceAfterTicks = _options.QuiesceAfterTicks,
        MaxInflightMessages = _options.MaxInflight,
        MaxEntriesPerMessage = _options.MaxEntriesPerMessage,
        SnapshotChunkBytes = _options.SnapshotChunkBytes,
        Random = new Random(Rng.Next()),
    };

    private void StartNode(SimNode node)
    {
        var init = node.Durable.ToInitialState();
        node.Raft = new RaftNode(OptionsFor(node.Id), init);
        node.Machine = new KvStateMachine();
        node.Machine.Restore(node.Durable.Image, init.Snapshot.Metadata.Index);
        node.WaitingReads.Clear();
        Drain(node);
    }

    private void Crash(SimNode node)
    {
        node.Raft = null;
        node.CrashBeforePersist = false;
        if (_options.BuggyFsync) node.Durable.LoseLastBatch();
        if (Rng.NextDouble() < _options.LoseUnsyncedRate) node.Durable.LoseUnsynced();
        node.WaitingReads.Clear();
        _clients.OnNodeLost(node);
        Schedule(Rng.Next(50, 600), () => StartNode(node));
        foreach (var other in _nodes)
        {
            if (other.Raft is null) continue;
            // The host notices the lost link; quiet followers of the crashed leader start their timers again.
            other.Raft.ReportUnreachable(node.Id);
            Drain(other);
        }
    }

    private void ScheduleTicks(SimNode node, long delay)
    {
        Schedule(delay, () =>
        {
            if (node.Raft is not null)
            {
                if (node.Raft.Quiesced) QuietTicks++;
                node.Raft.Tick();
                Drain(node);
            }

            ScheduleTicks(node, node.TickInterval);
        });
    }

    /// <summary>Runs the host loop: persist, then send, then apply, then advance; checks safety afterwards.</summary>
    public void Drain(SimNode node)
    {
        while (node.Raft is { } raft && raft.HasReady())
        {
            var ready = raft.GetReady();
            if (node.CrashBeforePersist)
            {
                // The process dies with this batch in memory: nothing of it reaches disk or the network.
                Crash(node);
                return;
            }

            node.Durable.Persist(ready, ready.MustSync);
            foreach (var m in ready.Messages)
            {
                node.Durable.FillChunk(m);
                Send(m);
            }
            if (ready.Snapshot is { } snap)
            {
                node.Machine.Restore(node.Durable.Image, snap.Metadata.Index);
                _clients.OnNodeLost(node, snap.Metadata.Index);
            }

            foreach (var e in ready.CommittedEntries)
            {
                node.Machine.Apply(e);
                Fail(_checker.OnApply(node.Id, e));
                _clients.OnApplied(node, e);
            }

            foreach (var rs in ready.ReadStates) _clients.OnReadState(node, rs);
            raft.Advance(ready);
            _clients.ServeReads(node);
            Fail(_checker.Check(node));
            MaybeSnapshot(node, raft);
        }
    }

    private void MaybeSnapshot(SimNode node, RaftNode raft)
    {
        if (raft.Applied - node.Durable.Snapshot.Metadata.Index < (ulong)_options.SnapshotEvery) return;
        var snap = node.Durable.SaveSnapshot(raft.SnapshotMetadataAt(raft.Applied), node.Machine.Save());
        raft.Compact(snap);
    }

    private void Fail(string? violation)
    {
        if (violation is not null)
            throw new SimulationFailure($"seed {Seed} at t={Now} event {_eventCount}: {violation}");
    }
}
