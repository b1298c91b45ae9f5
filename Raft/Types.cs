namespace IceFire.Raft;

/// <summary>The kind of a log entry. Persisted: values are explicit and append-only.</summary>
public enum EntryType
{
    /// <summary>An application command (or the empty no-op a new leader appends).</summary>
    Normal = 0,

    /// <summary>A membership change; <see cref="Entry.Data"/> holds the full new <see cref="ConfState"/>.</summary>
    Config = 1,
}

/// <summary>One entry of the replicated log.</summary>
/// <param name="Index">Position in the log, starting at 1.</param>
/// <param name="Term">Term of the leader that created the entry.</param>
/// <param name="Type">Command or membership change.</param>
/// <param name="Data">Payload; owned by the log once appended and never mutated.</param>
public sealed record Entry(ulong Index, ulong Term, EntryType Type, byte[] Data)
{
    /// <summary>Approximate encoded size, used to bound message batches.</summary>
    public long Size => Data.Length + 24;
}

/// <summary>The state a node must persist before it sends any message of the same batch (§5.1, Figure 2).</summary>
/// <param name="Term">Latest term the node has seen.</param>
/// <param name="Vote">Candidate voted for in <paramref name="Term"/>, or 0.</param>
/// <param name="Commit">Highest index known committed (persisted so a restart need not relearn it).</param>
public readonly record struct HardState(ulong Term, ulong Vote, ulong Commit);

/// <summary>What a node is doing in the current term.</summary>
public enum RaftRole
{
    /// <summary>Follows a leader or waits for one.</summary>
    Follower = 0,

    /// <summary>Asks whether it could win before disrupting the term (dissertation §9.6).</summary>
    PreCandidate = 1,

    /// <summary>Asks for votes in a new term (§5.2).</summary>
    Candidate = 2,

    /// <summary>Accepts proposals and replicates the log.</summary>
    Leader = 3,
}

/// <summary>Outcome of a proposal, read, transfer or membership request.</summary>
public enum ProposeStatus
{
    /// <summary>Accepted: appended (proposal), queued (read) or started (transfer).</summary>
    Accepted = 0,

    /// <summary>This node is not the leader; see <see cref="RaftNode.Leader"/> for a hint.</summary>
    NotLeader = 1,

    /// <summary>No leader is known; retry later.</summary>
    NoLeader = 2,

    /// <summary>A leadership transfer is in progress; proposals wait until it ends.</summary>
    TransferInProgress = 3,

    /// <summary>A membership change is pending, or the leader has not yet committed an entry of its term.</summary>
    RetryLater = 4,

    /// <summary>The request is invalid for the current membership.</summary>
    Rejected = 5,
}

/// <summary>Result of <see cref="RaftNode.Propose"/>: where the entry went if accepted.</summary>
/// <param name="Status">Whether the entry was appended.</param>
/// <param name="Index">Log index of the entry when accepted, else 0.</param>
/// <param name="Term">Term of the entry when accepted, else 0.</param>
public readonly record struct ProposeResult(ProposeStatus Status, ulong Index, ulong Term);

/// <summary>A linearizable read point: once the state machine has applied <paramref name="Index"/>, the read may be served.</summary>
/// <param name="Index">Commit index at the time leadership was confirmed.</param>
/// <param name="Context">The caller's request id passed to <see cref="RaftNode.ReadIndex"/>.</param>
public readonly record struct ReadState(ulong Index, ulong Context);

/// <summary>Volatile facts the host may want to observe (who leads, in what role).</summary>
/// <param name="Leader">Known leader id, or 0.</param>
/// <param name="Role">This node's role.</param>
public readonly record struct SoftState(ulong Leader, RaftRole Role);
