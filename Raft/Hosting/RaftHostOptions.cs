namespace IceFire.Raft.Hosting;

/// <summary>Settings of a <see cref="RaftHost"/>.</summary>
public sealed class RaftHostOptions
{
    /// <summary>This node's id; every group member on this host uses it.</summary>
    public ulong NodeId { get; set; }

    /// <summary>Wall-clock length of one Raft tick.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Slots of the timer wheel: groups are spread over them so ticks (and heartbeats) are not all at once.</summary>
    public int WheelSlots { get; set; } = 4;

    /// <summary>Threads that run group turns (persist, send, apply).</summary>
    public int Workers { get; set; } = 2;

    /// <summary>Take a snapshot and compact the log after this many applied entries.</summary>
    public ulong SnapshotEveryEntries { get; set; } = 10_000;
}
