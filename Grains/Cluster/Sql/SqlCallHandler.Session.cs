using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

internal sealed partial class SqlCallHandler
{
    private static readonly SqlError NoSuchStatement = new(SqlStates.InvalidSqlStatementName, "the prepared statement does not exist on the leader");
    private static readonly SqlError NoSuchCursor = new(SqlStates.InvalidCursorName, "the portal does not exist on the leader");

    public Task<SqlPrepareReply> PrepareAsync(SqlSessionCall session, string sql, CancellationToken cancellationToken) =>
        ServeAsync(session, sql, static (hosted, sql, _) => ValueTask.FromResult(Prepare(hosted, sql)), cancellationToken);

    public Task<SqlExecuteReply> ExecuteAsync(SqlSessionCall session, ulong statement, Orleans.Concurrency.Immutable<SqlValue[]> parameters, CancellationToken cancellationToken) =>
        ServeAsync(session, (statement, values: parameters.Value), static (hosted, a, ct) => ExecuteAsync(hosted, a.statement, a.values, ct), cancellationToken);

    public Task<SqlFetchReply> FetchAsync(SqlSessionCall session, ulong cursor, int maxRows, CancellationToken cancellationToken) =>
        ServeAsync(session, (cursor, maxRows), static (hosted, a, ct) => FetchAsync(hosted, a.cursor, a.maxRows, ct), cancellationToken);

    public Task<SqlSessionReply> CloseStatementAsync(SqlSessionCall session, ulong statement, CancellationToken cancellationToken) =>
        ServeAsync(session, statement, static (hosted, id, _) =>
        {
            hosted.RemoveStatement(id);
            return ValueTask.FromResult(new SqlSessionReply(SqlCallStatus.Ok, "", hosted.Session.TransactionState));
        }, cancellationToken);

    public Task<SqlSessionReply> CloseCursorAsync(SqlSessionCall session, ulong cursor, CancellationToken cancellationToken) =>
        ServeAsync(session, cursor, static async (hosted, id, _) =>
        {
            await hosted.RemoveCursorAsync(id).ConfigureAwait(false);
            return new SqlSessionReply(SqlCallStatus.Ok, "", hosted.Session.TransactionState);
        }, cancellationToken);

    public Task<SqlCallStatus> CancelAsync(ulong session)
    {
        if (!_sessions.TryGetValue(session, out var hosted))
        {
            return Task.FromResult(SqlCallStatus.NoSession);
        }
        // Not behind the gate: the call to interrupt holds it.
        hosted.Session.Cancel();
        return Task.FromResult(SqlCallStatus.Ok);
    }

    public async Task<SqlSessionReply> CloseAsync(ulong session)
    {
        if (!_sessions.TryGetValue(session, out var hosted))
        {
            return SqlSessionReply.Refused(SqlCallStatus.NoSession, NotOpen(session));
        }
        await CloseAsync(hosted).ConfigureAwait(false);
        return new SqlSessionReply(SqlCallStatus.Ok, "", SqlTransactionState.Idle);
    }

    private static string NotOpen(ulong session) => $"SQL session {session} is not open on this silo";

    /// <summary>
    /// Runs <paramref name="step"/> on <paramref name="call"/>'s session once the calls before it there are done, with
    /// the settings riding on the call applied first. A caller that gives up (or whose silo goes away) interrupts the
    /// statement it started.
    /// </summary>
    private async Task<TReply> ServeAsync<TReply, TArg>(
        SqlSessionCall call, TArg arg, Func<HostedSqlSession, TArg, CancellationToken, ValueTask<TReply>> step, CancellationToken cancellationToken)
        where TReply : ISqlSessionReply<TReply>
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!_sessions.TryGetValue(call.Session, out var hosted))
        {
            return TReply.Refused(SqlCallStatus.NoSession, NotOpen(call.Session));
        }
        try
        {
            await hosted.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (hosted.Closed)
                {
                    return TReply.Refused(SqlCallStatus.NoSession, $"SQL session {call.Session} was closed");
                }
                hosted.Touch();
                if (call.FailFirst)
                {
                    hosted.Session.Fail();
                }
                if (call.StatementTimeout is { } timeout)
                {
                    hosted.Session.StatementTimeout = timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout;
                }
                TReply reply;
                using (cancellationToken.Register(static s => ((ISqlSession)s!).Cancel(), hosted.Session))
                {
                    reply = await step(hosted, arg, cancellationToken).ConfigureAwait(false);
                }
                hosted.Touch();
                return reply;
            }
            finally
            {
                hosted.Gate.Release();
            }
        }
        catch (Exception e) when (e is TenantUnavailableException or ObjectDisposedException)
        {
            return TReply.Refused(SqlCallStatus.Unavailable, e.Message);
        }
    }

    private static SqlPrepareReply Prepare(HostedSqlSession hosted, string sql)
    {
        var prepared = hosted.Session.Prepare(sql);
        var state = hosted.Session.TransactionState;
        if (prepared.Error is { } error)
        {
            return new SqlPrepareReply(SqlCallStatus.Ok, "", state, prepared.TailOffset, Error: error);
        }
        if (prepared.Statement is not { } statement)
        {
            return new SqlPrepareReply(SqlCallStatus.Ok, "", state, prepared.TailOffset);
        }
        var described = new SqlPreparedStatement(
            hosted.Add(statement), statement.Sql, statement.ParameterCount, statement.CommandVerb, statement.IsReadOnly, [.. statement.Columns]);
        return new SqlPrepareReply(SqlCallStatus.Ok, "", state, prepared.TailOffset, described);
    }

    private static async ValueTask<SqlExecuteReply> ExecuteAsync(HostedSqlSession hosted, ulong statementId, SqlValue[] values, CancellationToken cancellationToken)
    {
        if (hosted.Statement(statementId) is not { } statement)
        {
            return new SqlExecuteReply(SqlCallStatus.Ok, "", hosted.Session.TransactionState, NoSuchStatement);
        }
        var executed = await hosted.Session.ExecuteAsync(statement, values, cancellationToken).ConfigureAwait(false);
        if (executed.Cursor is not { } cursor)
        {
            var error = executed.Error ?? new SqlError(SqlStates.InternalError, "the statement gave neither rows nor an error");
            return new SqlExecuteReply(SqlCallStatus.Ok, "", hosted.Session.TransactionState, error);
        }
        SqlColumn[] columns = [.. cursor.Columns];
        var chunk = await FillAsync(cursor, 0, cancellationToken).ConfigureAwait(false);
        ulong id = 0;
        if (chunk.End is null)
        {
            id = hosted.NextCursorId();
            hosted.AddCursor(id, cursor);
        }
        else
        {
            await cursor.DisposeAsync().ConfigureAwait(false);
        }
        return new SqlExecuteReply(SqlCallStatus.Ok, "", hosted.Session.TransactionState, null, columns, id, chunk);
    }

    private static async ValueTask<SqlFetchReply> FetchAsync(HostedSqlSession hosted, ulong cursorId, int maxRows, CancellationToken cancellationToken)
    {
        SqlRowChunk chunk;
        if (hosted.Cursor(cursorId) is not { } cursor)
        {
            chunk = new SqlRowChunk([], new SqlCompletion(0, 0, "", NoSuchCursor));
        }
        else
        {
            chunk = await FillAsync(cursor, maxRows, cancellationToken).ConfigureAwait(false);
            if (chunk.End is not null)
            {
                await hosted.RemoveCursorAsync(cursorId).ConfigureAwait(false);
            }
        }
        return new SqlFetchReply(SqlCallStatus.Ok, "", hosted.Session.TransactionState, chunk);
    }

    /// <summary>
    /// A chunk of up to <paramref name="maxRows"/> rows (0: <see cref="SqlCalls.ChunkRows"/>), stopping early once they
    /// take <see cref="SqlCalls.ChunkBytes"/>; its end is null when the cursor has more rows.
    /// </summary>
    private static async ValueTask<SqlRowChunk> FillAsync(ISqlCursor cursor, int maxRows, CancellationToken cancellationToken)
    {
        var sink = new SqlRowChunkBuilder();
        var limit = maxRows <= 0 ? SqlCalls.ChunkRows : Math.Min(maxRows, SqlCalls.ChunkRows);
        while (true)
        {
            var remaining = limit - sink.Rows;
            if (remaining <= 0 || sink.Bytes >= SqlCalls.ChunkBytes)
            {
                return sink.Build(null);
            }
            // Fetch in steps sized from the rows seen so far, so a chunk of wide rows stops near the byte limit.
            var step = sink.Rows == 0
                ? Math.Min(remaining, 16)
                : (int)Math.Clamp((SqlCalls.ChunkBytes - sink.Bytes) / Math.Max(1, sink.Bytes / sink.Rows), 1, remaining);
            var result = await cursor.FetchAsync(step, sink, cancellationToken).ConfigureAwait(false);
            if (!result.Suspended)
            {
                return sink.Build(new SqlCompletion(result.Rows, result.Changes, result.CommandVerb, result.Error));
            }
        }
    }
}
