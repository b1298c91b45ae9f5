namespace IceFire.Raft.Tests.Simulation;

/// <summary>A simulated server: volatile Raft node and state machine, plus the durable state that survives crashes.</summary>
internal sealed class SimNode(ulong id, DurableState durable)
{
    public ulong Id { get; } = id;

    public RaftNode? Raft { get; set; }

    public DurableState Durable { get; } = durable;

    public KvStateMachine Machine { get; set; } = new();

    /// <summary>The next Ready this node takes is lost: the process dies before persisting it.</summary>
    public bool CrashBeforePersist { get; set; }

    public bool Up => Raft is not null;

    /// <summary>This node's clock: virtual time units per tick.</summary>
    public int TickInterval { get; set; }

    /// <summary>Reads whose ReadState arrived, waiting for the state machine to reach their index.</summary>
    public List<(ulong Index, ulong Context)> WaitingReads { get; } = [];
}
