namespace IceFire.Raft;

/// <summary>
/// A batch of work a <see cref="RaftNode"/> hands to its host. The host must, in this order:
/// 1. write <see cref="SnapshotChunks"/> to the partial image they belong to, then persist <see cref="Snapshot"/> (if
///    any; it installs the image those chunks completed and replaces the whole log), then <see cref="Entries"/> (an entry with
///    an index already stored replaces that entry and everything after it), then <see cref="HardState"/> (if any),
///    with fsync when <see cref="MustSync"/>;
/// 2. send <see cref="Messages"/> — never before step 1, because they promise what was persisted (votes, acks);
/// 3. restore the state machine from <see cref="Snapshot"/> (if any), then apply <see cref="CommittedEntries"/> in order
///    and serve <see cref="ReadStates"/> once their index is applied;
/// 4. call <see cref="RaftNode.Advance"/> with this batch before calling the node again.
/// </summary>
public sealed class Ready
{
    /// <summary>New hard state to persist, or null if unchanged.</summary>
    public HardState? HardState { get; init; }

    /// <summary>Leader and role, or null if unchanged since the last batch.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>Membership, or null if unchanged since the last batch.</summary>
    public ConfState? Config { get; init; }

    /// <summary>Chunks of a snapshot being received from the leader, to write to the partial image in order.</summary>
    public IReadOnlyList<SnapshotChunk> SnapshotChunks { get; init; } = [];

    /// <summary>
    /// Snapshot received from the leader, or null: its image is the partial image the chunks so far (this batch's
    /// included) completed; the host installs it in storage, then restores the state machine from it.
    /// </summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Entries to append to stable storage.</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>Messages to send after persisting.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = [];

    /// <summary>Committed entries to apply, in log order.</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; init; } = [];

    /// <summary>Read points that became safe to serve once applied.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];

    /// <summary>Whether the persisted part must be fsynced before sending (entries, vote or term changed).</summary>
    public bool MustSync { get; init; }
}
