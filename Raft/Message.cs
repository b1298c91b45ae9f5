namespace IceFire.Raft;

/// <summary>Kinds of messages between members of a group. On the wire: values are explicit and append-only.</summary>
public enum MessageType
{
    /// <summary>Leader to follower: entries after (Index, LogTerm), plus the leader's commit (§5.3).</summary>
    Append = 1,

    /// <summary>Follower to leader: success up to Index, or reject with a hint (RejectHint, LogTerm).</summary>
    AppendResponse = 2,

    /// <summary>Candidate asks for a vote in Term for its last (Index, LogTerm) (§5.2).</summary>
    RequestVote = 3,

    /// <summary>Answer to <see cref="RequestVote"/>.</summary>
    RequestVoteResponse = 4,

    /// <summary>Pre-candidate asks whether it could win Term without changing anyone's term (§9.6).</summary>
    RequestPreVote = 5,

    /// <summary>Answer to <see cref="RequestPreVote"/>.</summary>
    RequestPreVoteResponse = 6,

    /// <summary>Leader keeps followers from campaigning and carries Commit and a read round in Context.</summary>
    Heartbeat = 7,

    /// <summary>Answer to <see cref="Heartbeat"/>, echoing Context.</summary>
    HeartbeatResponse = 8,

    /// <summary>One chunk of an InstallSnapshot transfer (§7): Snapshot metadata, Offset, Data, Done.</summary>
    Snapshot = 9,

    /// <summary>Follower to leader: the next snapshot offset it expects (Offset) for snapshot Index.</summary>
    SnapshotResponse = 10,

    /// <summary>Leader to transferee: start an election now (dissertation §3.10).</summary>
    TimeoutNow = 11,

    /// <summary>Follower to leader: confirm leadership for a read with request id Context.</summary>
    ReadIndex = 12,

    /// <summary>Leader to follower: the read point Index for request id Context.</summary>
    ReadIndexResponse = 13,
}

/// <summary>
/// One Raft message. The sender fills it once; after it is handed out in a <see cref="Ready"/> nobody mutates it,
/// so a transport or simulator may deliver the same instance more than once.
/// </summary>
public sealed class Message
{
    /// <summary>Context value of a <see cref="MessageType.RequestVote"/> sent because the leader asked (TimeoutNow); it bypasses leader stickiness.</summary>
    public const ulong TransferContext = 1;

    /// <summary>What the message is.</summary>
    public MessageType Type { get; set; }

    /// <summary>Sender id.</summary>
    public ulong From { get; set; }

    /// <summary>Recipient id.</summary>
    public ulong To { get; set; }

    /// <summary>Sender's term (for pre-votes, the term it would campaign in).</summary>
    public ulong Term { get; set; }

    /// <summary>Term of the entry at <see cref="Index"/> (append: previous entry; vote: last entry; reject: hint term).</summary>
    public ulong LogTerm { get; set; }

    /// <summary>A log index whose meaning depends on <see cref="Type"/>.</summary>
    public ulong Index { get; set; }

    /// <summary>Entries carried by an append.</summary>
    public IReadOnlyList<Entry> Entries { get; set; } = [];

    /// <summary>Leader's commit index (append, heartbeat).</summary>
    public ulong Commit { get; set; }

    /// <summary>Whether a response refuses.</summary>
    public bool Reject { get; set; }

    /// <summary>On a rejected append: the follower's best guess of the last matching index.</summary>
    public ulong RejectHint { get; set; }

    /// <summary>Read round, read request id, or <see cref="TransferContext"/>.</summary>
    public ulong Context { get; set; }

    /// <summary>Snapshot being transferred (chunk messages only).</summary>
    public SnapshotMetadata? Snapshot { get; set; }

    /// <summary>Byte offset of <see cref="Data"/> in the snapshot, or the next expected offset in a response.</summary>
    public ulong Offset { get; set; }

    /// <summary>Snapshot chunk bytes.</summary>
    public byte[] Data { get; set; } = [];

    /// <summary>
    /// On an outgoing snapshot chunk from <see cref="RaftNode"/>: how many bytes, from <see cref="Offset"/> of the snapshot
    /// at <see cref="SnapshotMetadata.Index"/>, the host must read from storage into <see cref="Data"/> before sending
    /// (the node keeps no snapshot bytes in memory). Not sent on the wire.
    /// </summary>
    public int ChunkLength { get; set; }

    /// <summary>Whether this is a snapshot chunk whose bytes the host still has to read (see <see cref="ChunkLength"/>).</summary>
    public bool NeedsSnapshotData => Type == MessageType.Snapshot && ChunkLength > 0 && Data.Length == 0;

    /// <summary>Whether this chunk is the last one.</summary>
    public bool Done { get; set; }

    /// <summary>On a heartbeat: the group is idle and the follower may stop its election timer until woken.</summary>
    public bool Quiesce { get; set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Type} {From}->{To} t{Term} i{Index} lt{LogTerm} c{Commit} n{Entries.Count}{(Reject ? " reject" : "")}{(Quiesce ? " quiesce" : "")} h{RejectHint} ctx{Context}";
}
