namespace IceFire.Grains.Interfaces;

/// <summary>
/// One tenant's dataset. Writes run one batch at a time through the grain's mailbox (its writer) and
/// are acknowledged only once durable; reads run concurrently on snapshots. Safe to call from any thread.
/// </summary>
public interface ITenantGrain
{
    /// <summary>The tenant's name.</summary>
    string Name { get; }

    /// <summary>
    /// Runs the batch's commands in order and writes their replies to <see cref="CommandBatch.Replies"/>.
    /// Completes when every reply is written and every write is durable. A faulted task means the
    /// dataset could not be reached (storage failure, shutting down); replies may then be partial.
    /// </summary>
    ValueTask ExecuteAsync(CommandBatch batch);

    /// <summary>
    /// Ends the wait of <paramref name="batch"/>'s blocking command (CLIENT UNBLOCK): its reply becomes the
    /// timeout reply or an UNBLOCKED error, and its <see cref="ExecuteAsync"/> completes. True when the
    /// command was waiting; false when it was not (never blocked, already served or timed out).
    /// </summary>
    Task<bool> UnblockAsync(CommandBatch batch, UnblockReason reason);

    /// <summary>Statistics for INFO (keyspace, persistence).</summary>
    ValueTask<TenantInfo> GetInfoAsync();
}

/// <summary>Per-database key counts and persistence figures of a tenant.</summary>
/// <param name="Keyspace">For each non-empty logical database: its index, keys, keys with a TTL.</param>
/// <param name="UsedBytes">Bytes of the data file in use.</param>
/// <param name="LastCommitUnixSeconds">Time of the last durable commit.</param>
/// <param name="Commits">Write transactions committed since start.</param>
/// <param name="CommandsWritten">Write commands applied since start.</param>
/// <param name="ExpiredKeys">Keys removed by expiry since start.</param>
/// <param name="ChecksumFailures">Stored records that failed their checksum when read, since start.</param>
public sealed record TenantInfo(
    IReadOnlyList<(int Db, long Keys, long Expires)> Keyspace,
    long UsedBytes,
    long LastCommitUnixSeconds,
    long Commits,
    long CommandsWritten,
    long ExpiredKeys,
    long ChecksumFailures = 0);

/// <summary>How a blocked command is woken by CLIENT UNBLOCK.</summary>
public enum UnblockReason
{
    /// <summary>As if its timeout had passed: the null reply.</summary>
    Timeout = 0,

    /// <summary>With the error <c>-UNBLOCKED client unblocked via CLIENT UNBLOCK</c>.</summary>
    Error = 1,
}
