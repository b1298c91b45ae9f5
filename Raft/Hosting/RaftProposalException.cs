namespace IceFire.Raft.Hosting;

/// <summary>A request was not accepted (for example this node is not the leader); <see cref="LeaderHint"/> names the leader if known.</summary>
public sealed class RaftProposalException(ProposeStatus status, ulong leaderHint, string message) : Exception(message)
{
    /// <summary>Why it was refused.</summary>
    public ProposeStatus Status { get; } = status;

    /// <summary>Known leader, or 0.</summary>
    public ulong LeaderHint { get; } = leaderHint;
}

/// <summary>An accepted proposal or read lost its leader before it completed; it may or may not take effect (proposals).</summary>
public sealed class RaftOutcomeUnknownException(string message) : Exception(message);
