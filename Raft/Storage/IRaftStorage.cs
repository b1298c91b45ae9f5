namespace IceFire.Raft.Storage;

/// <summary>
/// Durable state of one Raft group on one node: hard state, log entries and the latest snapshot, whose image is a file
/// the store owns.
/// <para>Callers: only the group's host loop, one call at a time, never concurrently. <see cref="Load"/> is called once,
/// before any other method.</para>
/// <para>Failure: any exception (I/O error, <see cref="RaftCorruptionException"/>) means the durable state can no longer be
/// trusted. The host must stop the group — it is inoperable — and never retry a write it cannot prove landed, because a
/// lost vote or acknowledged entry breaks Raft's safety.</para>
/// <para>Ownership: entries and snapshots passed in are immutable and may be retained; returned objects belong to the caller.
/// The image files stay the store's: callers read them, never move or change them.</para>
/// <para>Crash safety: an image is written under a temporary name, fsynced and renamed into place (with its directory
/// fsynced) before the record that names it is made durable; an image or a partial transfer no record names is deleted
/// at <see cref="Load"/>, never used.</para>
/// </summary>
public interface IRaftStorage : IDisposable
{
    /// <summary>
    /// Reads what survived: hard state, the snapshot the log starts after (its image verified), the entries after it,
    /// and the index the state machine had durably applied, if the store knows it.
    /// </summary>
    RaftInitialState Load();

    /// <summary>
    /// Persists one batch in this order: <paramref name="installed"/> (the image the chunks written with
    /// <see cref="WriteSnapshotChunk"/> completed becomes the stored snapshot and replaces the whole log),
    /// <paramref name="entries"/> (an entry whose index is already stored replaces it and everything after it),
    /// <paramref name="hardState"/>. When <paramref name="sync"/> is true, everything is on stable storage when the call returns.
    /// </summary>
    void Save(HardState? hardState, IReadOnlyList<Entry> entries, Snapshot? installed, bool sync);

    /// <summary>
    /// Writes a chunk of a snapshot being received into its partial image. A chunk at offset 0 starts a new partial image
    /// (discarding an earlier one); any other chunk must follow the previous one of the same snapshot.
    /// </summary>
    void WriteSnapshotChunk(SnapshotMetadata metadata, long offset, ReadOnlySpan<byte> data);

    /// <summary>
    /// Takes a snapshot at <paramref name="metadata"/>: calls <paramref name="writeImage"/> with a temporary path where the
    /// application writes its image (a file, which the callback closes before it returns), makes the image durable under
    /// its final name, records it, drops the log entries it covers and deletes the previous image. Durable on return;
    /// returns the stored snapshot. If <paramref name="writeImage"/> throws, nothing changes.
    /// </summary>
    Snapshot Compact(SnapshotMetadata metadata, Action<string> writeImage);

    /// <summary>The file of the stored snapshot at <paramref name="index"/>, or null when it has no image (the bootstrap snapshot at 0).</summary>
    string? SnapshotPath(ulong index);

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/> of the stored snapshot at <paramref name="index"/>,
    /// to fill a chunk the leader sends (<see cref="Message.ChunkLength"/>). The index is always the latest stored one.
    /// </summary>
    byte[] ReadSnapshotChunk(ulong index, long offset, int length);
}
