namespace IceFire.Raft.Tests.Simulation;

/// <summary>Knobs of one simulated run. Time is virtual; a tick is <see cref="TickInterval"/> units.</summary>
internal sealed record SimOptions
{
    public int Voters { get; init; } = 3;

    /// <summary>Extra nodes that start outside the group and may be added (membership changes).</summary>
    public int Spares { get; init; }

    public long Duration { get; init; } = 6000;

    public int TickInterval { get; init; } = 10;

    /// <summary>Clock drift: each node's tick interval is TickInterval plus 0..TickDrift units, fixed per node.</summary>
    public int TickDrift { get; init; }

    /// <summary>Probability that a crash also loses the hard-state updates written without fsync (commit index only).</summary>
    public double LoseUnsyncedRate { get; init; } = 0.5;

    public double DropRate { get; init; } = 0.05;

    public double DuplicateRate { get; init; } = 0.03;

    public int MaxDelay { get; init; } = 25;

    public bool Crashes { get; init; } = true;

    public bool Partitions { get; init; } = true;

    public bool MembershipChanges { get; init; }

    public bool Transfers { get; init; } = true;

    public int SnapshotEvery { get; init; } = 40;

    public int SnapshotChunkBytes { get; init; } = 32;

    public bool PreVote { get; init; } = true;

    public bool CheckQuorum { get; init; } = true;

    public ReadMode ReadMode { get; init; } = ReadMode.ReadIndex;

    public int LeaseMarginTicks { get; init; } = 2;

    /// <summary>Idle ticks before a leader quiesces (0: never); the world reports crashed and cut-off peers.</summary>
    public int QuiesceAfterTicks { get; init; }

    /// <summary>Probability that a client pauses for a long stretch after an operation (lets groups go idle).</summary>
    public double ClientPauseRate { get; init; }

    public int Clients { get; init; } = 4;

    public int Keys { get; init; } = 3;

    public int MaxInflight { get; init; } = 4;

    public int MaxEntriesPerMessage { get; init; } = 8;

    /// <summary>Injected host bug: crashes lose the last batch although its messages were sent (fsync that lies).</summary>
    public bool BuggyFsync { get; init; }
}
