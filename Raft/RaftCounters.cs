namespace IceFire.Raft;

/// <summary>Counts of messages a node dropped and why. Read by telemetry; written only by the node's own thread.</summary>
public sealed class RaftCounters
{
    /// <summary>Messages from an older term.</summary>
    public long DroppedStaleTerm { get; internal set; }

    /// <summary>Messages addressed to another node.</summary>
    public long DroppedMisaddressed { get; internal set; }

    /// <summary>Responses from nodes this leader does not track.</summary>
    public long DroppedUnknownSender { get; internal set; }

    /// <summary>Vote requests ignored because a leader was heard from recently (check-quorum stickiness).</summary>
    public long DroppedInLease { get; internal set; }

    /// <summary>Messages not meaningful in the node's role (for example an append response to a follower).</summary>
    public long DroppedUnexpected { get; internal set; }

    /// <summary>Messages a correct peer never sends (gaps in entries, acknowledgements beyond the log, unknown types).</summary>
    public long DroppedMalformed { get; internal set; }

    /// <summary>Elections started (pre-vote rounds included).</summary>
    public long Campaigns { get; internal set; }
}
