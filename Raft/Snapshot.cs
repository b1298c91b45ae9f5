namespace IceFire.Raft;

/// <summary>Where a snapshot sits in the log and the membership in force at that point (§7).</summary>
/// <param name="Index">Last log index the snapshot covers.</param>
/// <param name="Term">Term of the entry at <paramref name="Index"/>.</param>
/// <param name="Config">Membership as of <paramref name="Index"/>.</param>
public sealed record SnapshotMetadata(ulong Index, ulong Term, ConfState Config);

/// <summary>A state-machine image plus its position in the log. The data is opaque to Raft.</summary>
/// <param name="Metadata">Position and membership.</param>
/// <param name="Data">The application's serialized state; never mutated once created.</param>
public sealed record Snapshot(SnapshotMetadata Metadata, byte[] Data);
