using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces.Sql;
using Orleans;
using Orleans.Concurrency;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// The SQL session calls a silo serves for the others (<see cref="SqlCallHandler"/>): a client's session on the silo
/// leading its tenant, opened, stepped and closed by the client's silo (<see cref="RemoteSqlSession"/>).
/// </summary>
/// <remarks>
/// Calls on one session run one at a time, in the order they arrive, except <see cref="CancelAsync"/>, which interrupts
/// the running one. Every answer on a session carries the session's transaction state after the call, so the caller
/// never asks for it. Refusals (<see cref="SqlCallStatus"/>) come back in the answer; an exception means the call
/// failed. A cancelled token interrupts the statement the call started. Calls that take a token are bounded by it (the
/// caller's request timeout, or its watch on the tenant's leader), not by Orleans' response timeout: a statement may
/// rightly run for minutes.
/// </remarks>
[Alias("IceFire.ISqlCalls")]
public interface ISqlCalls : INodeCallTarget
{
    /// <summary>Opens a session on <see cref="SqlOpenRequest.Tenant"/>, which this silo must lead.</summary>
    [Alias("Open")]
    [ResponseTimeout("7.00:00:00")]
    Task<SqlOpenReply> OpenAsync(SqlOpenRequest request, CancellationToken cancellationToken);

    /// <summary>Prepares the first statement of <paramref name="sql"/> in the session.</summary>
    [Alias("Prepare")]
    [ResponseTimeout("7.00:00:00")]
    Task<SqlPrepareReply> PrepareAsync(SqlSessionCall session, string sql, CancellationToken cancellationToken);

    /// <summary>Executes prepared statement <paramref name="statement"/> with <paramref name="parameters"/> (index 0 is ?1).</summary>
    [Alias("Execute")]
    [ResponseTimeout("7.00:00:00")]
    Task<SqlExecuteReply> ExecuteAsync(SqlSessionCall session, ulong statement, Immutable<SqlValue[]> parameters, CancellationToken cancellationToken);

    /// <summary>The next chunk of cursor <paramref name="cursor"/>: up to <paramref name="maxRows"/> rows, 0 for a full chunk.</summary>
    [Alias("Fetch")]
    [ResponseTimeout("7.00:00:00")]
    Task<SqlFetchReply> FetchAsync(SqlSessionCall session, ulong cursor, int maxRows, CancellationToken cancellationToken);

    /// <summary>Closes prepared statement <paramref name="statement"/>.</summary>
    [Alias("CloseStatement")]
    [ResponseTimeout("7.00:00:00")]
    Task<SqlSessionReply> CloseStatementAsync(SqlSessionCall session, ulong statement, CancellationToken cancellationToken);

    /// <summary>Closes cursor <paramref name="cursor"/> before its end.</summary>
    [Alias("CloseCursor")]
    [ResponseTimeout("7.00:00:00")]
    Task<SqlSessionReply> CloseCursorAsync(SqlSessionCall session, ulong cursor, CancellationToken cancellationToken);

    /// <summary>
    /// Interrupts the statement running in session <paramref name="session"/>; served beside it, not after it, so its
    /// answer carries no transaction state.
    /// </summary>
    [Alias("Cancel")]
    Task<SqlCallStatus> CancelAsync(ulong session);

    /// <summary>Closes session <paramref name="session"/>, rolling back its open transaction.</summary>
    [Alias("Close")]
    Task<SqlSessionReply> CloseAsync(ulong session);

    /// <summary>Renews the lease of <paramref name="sessions"/>, opened by clients of silo <paramref name="origin"/>.</summary>
    [Alias("KeepAlive")]
    Task<SqlKeepAliveReply> KeepAliveAsync(ulong origin, ulong[] sessions);
}
