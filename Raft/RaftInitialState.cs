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

    /// <summary>Last index the state machine had applied durably; committed entries after it are handed out again. At least the snapshot index.</summary>
    public ulong Applied { get; init; }

    /// <summary>State for a brand new group with these voters.</summary>
    public static RaftInitialState Bootstrap(params ulong[] voters) =>
        new() { Snapshot = new Snapshot(new SnapshotMetadata(0, 0, new ConfState(voters, [])), []) };

    /// <summary>State for a node that will be added to an existing group.</summary>
    public static RaftInitialState Joining() =>
        new() { Snapshot = new Snapshot(new SnapshotMetadata(0, 0, ConfState.Empty), []) };
}
