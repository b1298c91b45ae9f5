namespace IceFire.Raft;

/// <summary>
/// Durable state a node starts from: what the host persisted before a restart, or a bootstrap membership.
/// A new group is bootstrapped with a snapshot at index 0 whose <see cref="SnapshotMetadata.Config"/> names the
/// initial voters; a node joining an existing group starts with <see cref="ConfState.Empty"/> and waits for the leader.
/// </summary>
public sealed class RaftInitialState
{
    /// <summary>Persisted term, vote and commit.</summary>
    public HardState HardState { get; init; }

    /// <summary>Latest persisted snapshot (index 0 with the bootstrap membership for a new group).</summary>
    public required Snapshot Snapshot { get; init; }

    /// <summary>Persisted entries following the snapshot, contiguous and ascending.</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>
    /// Last index the state machine had applied durably, as far as storage knows (0 for a state machine kept in memory).
    /// When it is below the snapshot index, the host restores the state machine from the stored image first; committed
    /// entries after the larger of the two are handed out again.
    /// </summary>
    public ulong Applied { get; init; }

    /// <summary>State for a brand new group with these voters.</summary>
    public static RaftInitialState Bootstrap(params ulong[] voters) =>
        new() { Snapshot = new Snapshot(new SnapshotMetadata(0, 0, new ConfState(voters, [])), 0) };

    /// <summary>State for a node that will be added to an existing group.</summary>
    public static RaftInitialState Joining() =>
        new() { Snapshot = new Snapshot(new SnapshotMetadata(0, 0, ConfState.Empty), 0) };
}
