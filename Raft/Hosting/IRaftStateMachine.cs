namespace IceFire.Raft.Hosting;

/// <summary>
/// The application replicated by a group. All methods run on the group's turn, one at a time, in log order; other
/// threads that read the application's state must synchronize with it themselves. An exception stops the group.
/// </summary>
public interface IRaftStateMachine
{
    /// <summary>Applies one committed entry. Configuration entries and the leaders' empty no-ops arrive too.</summary>
    void Apply(Entry entry);

    /// <summary>
    /// Applies a batch of committed entries, in order, as one unit: the seam where an application can commit its own
    /// transaction once per batch or hand the batch and its effects on (for example to a ledger). By default, one
    /// <see cref="Apply"/> per entry.
    /// </summary>
    void ApplyBatch(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var e in entries) Apply(e);
    }

    /// <summary>
    /// This replica's role changed (it won an election, stepped down, or started a campaign) in <paramref name="term"/>.
    /// Called on the group's turn before the entries of the same turn are applied, so an application can tell which
    /// entries it applies as leader. By default, nothing.
    /// </summary>
    void RoleChanged(RaftRole role, ulong term)
    {
    }

    /// <summary>
    /// Writes an image of the state as of the last applied entry (<paramref name="metadata"/>'s index) to the new file
    /// <paramref name="imagePath"/>, for log compaction, and closes it. Storage makes the file durable afterwards.
    /// </summary>
    void TakeSnapshot(SnapshotMetadata metadata, string imagePath);

    /// <summary>
    /// Replaces the whole state with the image at <paramref name="imagePath"/> (at start-up, or received from the
    /// leader); afterwards the state is as of <paramref name="snapshot"/>'s index. The file belongs to storage: read it,
    /// do not move or change it.
    /// </summary>
    void Restore(Snapshot snapshot, string imagePath);
}
