using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Sql;

/// <summary>
/// How a replicated tenant's sessions write: every write transaction runs on the leader inside a
/// <see cref="SqlWriteCapture"/>, is rolled back there, and its unit is proposed to the tenant's Raft group; each
/// replica, the leader included, applies the unit from the log. Only the apply writes the file.
/// </summary>
internal interface ISqlReplication
{
    /// <summary>The term this replica leads in, 0 while it does not lead.</summary>
    ulong LeaderTerm { get; }

    /// <summary>
    /// Before a write transaction starts, with the tenant's write lock held: completes once this replica leads and
    /// has applied everything committed before the call.
    /// </summary>
    /// <exception cref="SqlReplicationException">This replica does not lead, or cannot tell yet.</exception>
    ValueTask BeforeWriteAsync(CancellationToken cancellationToken);

    /// <summary>Before a read outside a transaction: completes once a linearizable read may be served here.</summary>
    /// <exception cref="SqlReplicationException">This replica does not lead, or cannot tell yet.</exception>
    ValueTask BeforeReadAsync(CancellationToken cancellationToken);

    /// <summary>Proposes <paramref name="unit"/> and completes once it committed and this replica applied it.</summary>
    /// <exception cref="SqlReplicationException">Not committed (40001), or its fate is unknown (08007).</exception>
    Task CommitAsync(SqlWriteUnit unit, CancellationToken cancellationToken);
}

/// <summary>A replicated write or read could not be served; <see cref="Error"/> is what the client is told.</summary>
internal sealed class SqlReplicationException(SqlError error) : Exception(error.Message)
{
    public SqlError Error { get; } = error;
}
