using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// The replica's durability (REPLICATION.md, Durability). With <see cref="DurabilityMode.Always"/> every commit syncs
/// its data pages but not its meta page (MDB_NOMETASYNC), which the next commit's sync or an explicit one makes durable:
/// the log store syncs at once what a peer or a vote relies on, and in a group of one member the apply's commit, which
/// comes before any acknowledgement, makes the appended entries durable; so nothing is acknowledged before it is on
/// disk on a quorum. With <see cref="DurabilityMode.Periodic"/> (appendfsync everysec) commits are not synced: the log
/// store syncs only what Raft needs (a term or vote, and entries a peer may count), and a timer flushes everything
/// committed once a second, as the single-silo grain's syncer does. A process crash loses nothing (the kernel holds
/// the pages); a machine crash may lose the last second.
/// </summary>
public sealed partial class ReplicatedTenant
{
    /// <summary>How often a periodic replica flushes what it committed.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private readonly ReplicaFlusher _flusher;

    /// <summary>With periodic durability, the id of the environment's last write transaction the last flush put on disk.</summary>
    public long FlushedTransactionId => _flusher.FlushedTransactionId;

    /// <summary>The id of the environment's last committed write transaction (the log's appends and the applies).</summary>
    public long CommittedTransactionId => _env.LastTransactionId;

    private static LmdbEnvironmentOptions EnvironmentOptions(TenantOptions options) => new()
    {
        InitialMapSize = options.InitialMapSize,
        SyncOnCommit = options.Durability == DurabilityMode.Always,
        DeferMetaSync = options.Durability == DurabilityMode.Always,
        // As the single-silo grain opens its environment: commits that dirty many scattered pages (random keys, large
        // values, and the log's entries beside them) write them in the map instead of one pwrite per run of pages.
        WriteMap = options.WriteMap,
    };

    /// <summary>
    /// For the log store: whether appended entries must be synced before the batch's messages go out. Not while this
    /// replica is its group's only member, since no peer counts them: with always durability the apply's commit, in the
    /// same turn and before any acknowledgement, syncs them; with periodic durability the flush does, within a second.
    /// </summary>
    private bool SyncEntries() => _group is not { SoleMember: true };

    /// <summary>With periodic durability, starts syncing what is committed once every <see cref="FlushInterval"/>.</summary>
    private void StartFlusher()
    {
        if (_options.Durability == DurabilityMode.Periodic)
        {
            _flusher.Start();
        }
    }

    /// <summary>Makes everything committed durable before the environment closes (with always durability, the last commit's meta page).</summary>
    private void StopFlusher() => _flusher.Stop();
}
