namespace IceFire.Raft.Storage;

/// <summary>
/// Durable state of one Raft group on one node: hard state, log entries and the latest snapshot.
/// <para>Callers: only the group's host loop, one call at a time, never concurrently. <see cref="Load"/> is called once,
/// before any other method.</para>
/// <para>Failure: any exception (I/O error, <see cref="RaftCorruptionException"/>) means the durable state can no longer be
/// trusted. The host must stop the group — it is inoperable — and never retry a write it cannot prove landed, because a
/// lost vote or acknowledged entry breaks Raft's safety.</para>
/// <para>Ownership: entries and snapshots passed in are immutable and may be retained; returned objects belong to the caller.</para>
/// </summary>
public interface IRaftStorage : IDisposable
{
    /// <summary>Reads what survived: hard state, the snapshot the log starts after, and the entries after it.</summary>
    RaftInitialState Load();

    /// <summary>
    /// Persists one batch in this order: <paramref name="installed"/> (replaces the whole log), <paramref name="entries"/>
    /// (an entry whose index is already stored replaces it and everything after it), <paramref name="hardState"/>.
    /// When <paramref name="sync"/> is true, everything is on stable storage when the call returns.
    /// </summary>
    void Save(HardState? hardState, IReadOnlyList<Entry> entries, Snapshot? installed, bool sync);

    /// <summary>Stores a snapshot the application took and drops the log entries it covers. Durable on return.</summary>
    void Compact(Snapshot snapshot);

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/> of the stored snapshot at <paramref name="index"/>,
    /// to fill a chunk the leader sends (<see cref="Message.ChunkLength"/>). The index is always the latest stored one.
    /// </summary>
    byte[] ReadSnapshotChunk(ulong index, long offset, int length);
}
