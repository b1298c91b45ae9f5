namespace IceFire.Raft;

/// <summary>How linearizable reads confirm leadership.</summary>
public enum ReadMode
{
    /// <summary>ReadIndex (dissertation §6.4): a heartbeat round acknowledged by a quorum confirms leadership.</summary>
    ReadIndex = 0,

    /// <summary>
    /// Leader lease (dissertation §6.4.1). Serves reads without a round trip while the lease holds. Correct only if the
    /// tick rates of members differ by at most <see cref="RaftOptions.LeaseMarginTicks"/> over one election timeout:
    /// a follower refuses votes for ElectionTicks of its own clock after hearing from the leader, and the leader
    /// trusts its lease for ElectionTicks - LeaseMarginTicks of its clock counted from when it sent that heartbeat.
    /// Requires <see cref="RaftOptions.CheckQuorum"/>.
    /// </summary>
    LeaseBased = 1,
}

/// <summary>Settings of one <see cref="RaftNode"/>. Times are in ticks of the host's clock.</summary>
public sealed class RaftOptions
{
    /// <summary>This node's id; never 0.</summary>
    public ulong Id { get; set; }

    /// <summary>Minimum election timeout; each term draws a timeout in [ElectionTicks, 2*ElectionTicks) (§5.2).</summary>
    public int ElectionTicks { get; set; } = 10;

    /// <summary>Interval between leader heartbeats; must be well below <see cref="ElectionTicks"/>.</summary>
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>Run a pre-vote round before campaigning (dissertation §9.6).</summary>
    public bool PreVote { get; set; } = true;

    /// <summary>Leader steps down when it has not heard from a quorum in an election timeout; followers ignore votes while they hear from a leader.</summary>
    public bool CheckQuorum { get; set; } = true;

    /// <summary>Append messages in flight per follower before the leader waits for acknowledgements.</summary>
    public int MaxInflightMessages { get; set; } = 256;

    /// <summary>Most entries in one append message.</summary>
    public int MaxEntriesPerMessage { get; set; } = 1024;

    /// <summary>Approximate byte budget of one append message (at least one entry is always sent).</summary>
    public long MaxBytesPerMessage { get; set; } = 1 << 20;

    /// <summary>
    /// Bytes of proposed but uncommitted entries a leader holds before it refuses new proposals with
    /// <see cref="ProposeStatus.RetryLater"/> (flow control when followers are slow or unreachable); 0 means no limit.
    /// A single proposal is always accepted when nothing is outstanding.
    /// </summary>
    public long MaxUncommittedBytes { get; set; } = 64 << 20;

    /// <summary>Most committed entries handed to the application in one <see cref="Ready"/>.</summary>
    public int MaxCommittedPerReady { get; set; } = 4096;

    /// <summary>Size of one InstallSnapshot chunk (§7).</summary>
    public int SnapshotChunkBytes { get; set; } = 1 << 20;

    /// <summary>How reads confirm leadership.</summary>
    public ReadMode ReadMode { get; set; } = ReadMode.ReadIndex;

    /// <summary>Ticks subtracted from the lease to cover clock drift (see <see cref="ReadMode.LeaseBased"/>).</summary>
    public int LeaseMarginTicks { get; set; } = 2;

    /// <summary>
    /// Idle ticks after which a leader whose followers hold its whole log stops heartbeating (0: never). Followers
    /// stop their election timers until the leader speaks again or the host reports the leader's node unreachable
    /// with <see cref="RaftNode.ReportUnreachable"/>, so a host that enables this must report lost links.
    /// </summary>
    public int QuiesceAfterTicks { get; set; }

    /// <summary>Source of election jitter. Inject a seeded one for reproducible runs; defaults to a generator seeded by <see cref="Id"/>.</summary>
    public Random? Random { get; set; }
}
