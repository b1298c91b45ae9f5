namespace IceFire.Raft;

/// <summary>Where a snapshot sits in the log and the membership in force at that point (§7).</summary>
/// <param name="Index">Last log index the snapshot covers.</param>
/// <param name="Term">Term of the entry at <paramref name="Index"/>.</param>
/// <param name="Config">Membership as of <paramref name="Index"/>.</param>
public sealed record SnapshotMetadata(ulong Index, ulong Term, ConfState Config);

/// <summary>
/// A state-machine image and its position in the log. The image is a file that storage keeps (see
/// <see cref="Storage.IRaftStorage.SnapshotPath"/>); Raft never holds its bytes, only its length, so an image may be
/// larger than memory. The bytes are opaque to Raft.
/// </summary>
/// <param name="Metadata">Position and membership.</param>
/// <param name="Length">Bytes in the image file.</param>
public sealed record Snapshot(SnapshotMetadata Metadata, long Length);

/// <summary>
/// Bytes of a snapshot a follower is receiving from its leader (§7, InstallSnapshot), to be written to the partial
/// image at <paramref name="Offset"/> before the node's answer to the chunk is sent. Chunks of one transfer arrive in
/// order; a chunk at offset 0 starts a new transfer and discards any earlier partial image.
/// </summary>
/// <param name="Metadata">The snapshot being received.</param>
/// <param name="Offset">Byte offset of <paramref name="Data"/> in the image.</param>
/// <param name="Data">The chunk's bytes; owned by the receiver, never mutated.</param>
public sealed record SnapshotChunk(SnapshotMetadata Metadata, long Offset, byte[] Data);
