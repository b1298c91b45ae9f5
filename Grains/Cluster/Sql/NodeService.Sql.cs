using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces.Sql;
using Orleans.Concurrency;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>SQL session calls, served by the node's <see cref="SqlCallHandler"/>.</summary>
public sealed partial class NodeService
{
    public Task<SqlOpenReply> OpenAsync(SqlOpenRequest request, CancellationToken cancellationToken) =>
        Serve(() => node.SqlCallHandler.OpenAsync(request, cancellationToken), cancellationToken);

    public Task<SqlPrepareReply> PrepareAsync(SqlSessionCall session, string sql, CancellationToken cancellationToken) =>
        Serve(() => node.SqlCallHandler.PrepareAsync(session, sql, cancellationToken), cancellationToken);

    public Task<SqlExecuteReply> ExecuteAsync(SqlSessionCall session, ulong statement, Immutable<SqlValue[]> parameters, CancellationToken cancellationToken) =>
        Serve(() => node.SqlCallHandler.ExecuteAsync(session, statement, parameters, cancellationToken), cancellationToken);

    public Task<SqlFetchReply> FetchAsync(SqlSessionCall session, ulong cursor, int maxRows, CancellationToken cancellationToken) =>
        Serve(() => node.SqlCallHandler.FetchAsync(session, cursor, maxRows, cancellationToken), cancellationToken);

    public Task<SqlSessionReply> CloseStatementAsync(SqlSessionCall session, ulong statement, CancellationToken cancellationToken) =>
        Serve(() => node.SqlCallHandler.CloseStatementAsync(session, statement, cancellationToken), cancellationToken);

    public Task<SqlSessionReply> CloseCursorAsync(SqlSessionCall session, ulong cursor, CancellationToken cancellationToken) =>
        Serve(() => node.SqlCallHandler.CloseCursorAsync(session, cursor, cancellationToken), cancellationToken);

    public Task<SqlCallStatus> CancelAsync(ulong session) =>
        Serve(() => node.SqlCallHandler.CancelAsync(session), CancellationToken.None);

    public Task<SqlSessionReply> CloseAsync(ulong session) =>
        Serve(() => node.SqlCallHandler.CloseAsync(session), CancellationToken.None);

    public Task<SqlKeepAliveReply> KeepAliveAsync(ulong origin, ulong[] sessions) =>
        Serve(() => node.SqlCallHandler.KeepAliveAsync(origin, sessions), CancellationToken.None);
}
