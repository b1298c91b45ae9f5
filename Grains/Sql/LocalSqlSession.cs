using IceFire.Grains.Interfaces.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// A session on a tenant's SQLite file, on the replica that leads its group (or, as a follower reader, on any
/// replica): its own connection, its statements, and the tenant's write lock while it holds a write transaction open.
/// How its writes reach the file is in LocalSqlSession.Writes.cs.
/// </summary>
internal sealed partial class LocalSqlSession : ISqlSession
{
    private static readonly SqlError TenantDropped = new(SqlStates.AdminShutdown, "the tenant was dropped");

    private readonly LocalSqlTenant _tenant;
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly HashSet<LocalSqlStatement> _statements = [];
    private readonly Lock _closeGate = new();
    private bool _holdsLock;
    private bool _failed;
    private bool _disposed;
    // Rows the last write changed when it ran in the write batch; null when it ran on this connection.
    private long? _batchedChanges;

    public LocalSqlSession(LocalSqlTenant tenant, SqliteConnection connection)
    {
        _tenant = tenant;
        _connection = connection;
        _db = connection.Handle!;
        InstallProgressHandler();
        // An autocommit write runs in the tenant's write batch, on another connection: changes() here answers for it
        // as SQLite's own would for a write run on this connection.
        connection.CreateFunction("changes", () => _batchedChanges ?? raw.sqlite3_changes(_db), isDeterministic: false);
    }

    private bool InSqliteTransaction => raw.sqlite3_get_autocommit(_db) == 0;

    /// <remarks>
    /// A transaction rolled back when this replica stopped leading still reads as open until its next statement tells
    /// the client: a router that sees it idle would run that statement on the next leader, outside any transaction.
    /// </remarks>
    public SqlTransactionState TransactionState =>
        _failed ? SqlTransactionState.Failed : InSqliteTransaction || _leaderLost ? SqlTransactionState.InTransaction : SqlTransactionState.Idle;

    public SqlPrepareResult Prepare(string sql)
    {
        if (_tenant.IsClosed)
        {
            return new SqlPrepareResult(null, sql.Length, TenantDropped);
        }
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var stmt, out string tail);
        var tailOffset = sql.Length - (tail?.Length ?? 0);
        if (rc != raw.SQLITE_OK)
        {
            stmt?.Dispose();
            return new SqlPrepareResult(null, sql.Length, SqliteErrors.FromConnection(_db, rc));
        }
        if (stmt is null || stmt.IsInvalid)
        {
            return new SqlPrepareResult(null, sql.Length, null);
        }
        var text = sql[..tailOffset];
        var statement = new LocalSqlStatement(this, _db, stmt, text);
        // VACUUM INTO writes a copy of the database to a file the client names: another file, refused like ATTACH.
        if (statement.CommandVerb == "VACUUM" && text.Contains("INTO", StringComparison.OrdinalIgnoreCase))
        {
            statement.Dispose();
            return new SqlPrepareResult(null, sql.Length, new SqlError(SqlStates.InsufficientPrivilege, "not authorized: VACUUM INTO writes another file", SqliteErrors.Auth));
        }
        _statements.Add(statement);
        return new SqlPrepareResult(statement, tailOffset, null);
    }

    public async ValueTask<SqlExecuteResult> ExecuteAsync(ISqlStatement statement, ReadOnlyMemory<SqlValue> parameters, CancellationToken cancellationToken)
    {
        var st = (LocalSqlStatement)statement;
        if (_tenant.IsClosed)
        {
            return new SqlExecuteResult(null, TenantDropped);
        }
        BeginStatement(cancellationToken);
        var verb = st.CommandVerb;
        if (_leaderLost)
        {
            // The open transaction was rolled back when this replica stopped leading, and the client has not heard: say
            // so once (LeaderLost), then fail as usual.
            _leaderLost = false;
            if (LeaderLost(verb) is { } lost)
            {
                return lost;
            }
            _failed = true;
        }
        var savepoint = st.Savepoint.Kind;
        if (_failed && savepoint != SqlSavepointKind.RollbackTo)
        {
            // PostgreSQL's aborted transaction: only its end, or a ROLLBACK TO that makes it usable again, is accepted.
            if (verb is "ROLLBACK" or "COMMIT")
            {
                return new SqlExecuteResult(RollbackFailed(), null);
            }
            return new SqlExecuteResult(null, SqlError.InFailedTransaction);
        }
        var inTransaction = InSqliteTransaction;
        if (!inTransaction && !_failed && savepoint != SqlSavepointKind.None)
        {
            // SQLite would open a transaction for a SAVEPOINT; PostgreSQL refuses savepoints outside one.
            return new SqlExecuteResult(null, new SqlError(SqlStates.NoActiveTransaction, $"{SavepointVerb(savepoint)} can only be used in transaction blocks"));
        }
        // PostgreSQL answers these with a warning and carries on; SQLite would fail them.
        if ((!inTransaction && verb is "COMMIT" or "ROLLBACK" && savepoint == SqlSavepointKind.None) || (inTransaction && verb == "BEGIN"))
        {
            return new SqlExecuteResult(LocalSqlCursor.Completed(st.Columns, 0, 0, verb), null);
        }
        return await RunAsync(st, parameters, inTransaction, cancellationToken);
    }

    /// <summary><see cref="Start"/> on a SQL worker, in one of the tenant's statement slots.</summary>
    private ValueTask<SqlExecuteResult> StartAsync(LocalSqlStatement statement, ReadOnlyMemory<SqlValue> parameters, bool wasInTransaction, CancellationToken cancellationToken) =>
        StepAsync(() => Start(statement, parameters, wasInTransaction), () => Failed(StatementTimeoutError, wasInTransaction), Deadline, cancellationToken);

    private SqlExecuteResult Start(LocalSqlStatement statement, ReadOnlyMemory<SqlValue> parameters, bool wasInTransaction)
    {
        var stmt = statement.Borrow(out var rc);
        if (rc != raw.SQLITE_OK)
        {
            stmt?.Dispose();
            return Failed(SqliteErrors.FromConnection(_db, rc), wasInTransaction);
        }
        var values = parameters.Span;
        for (var i = 0; i < values.Length && i < statement.ParameterCount; i++)
        {
            rc = SqliteFunctions.Bind(stmt, i + 1, values[i]);
            if (rc != raw.SQLITE_OK)
            {
                var error = SqliteErrors.FromConnection(_db, rc);
                statement.Return(stmt);
                return Failed(error, wasInTransaction);
            }
        }
        rc = raw.sqlite3_step(stmt);
        if (rc == raw.SQLITE_ROW && statement.IsReadOnly)
        {
            return new SqlExecuteResult(new LocalSqlCursor(this, statement, stmt, wasInTransaction), null);
        }
        // A write (inside the session's capture, under the write lock) runs to completion now, so the capture never
        // has a half-read portal open when it ends.
        var rows = new List<SqlValue[]>();
        rc = LocalSqlCursor.ReadToEnd(stmt, rc, statement.Columns, rows, out var columns);
        if (rc != raw.SQLITE_DONE)
        {
            var error = SqliteErrors.FromConnection(_db, rc);
            statement.Return(stmt);
            return Failed(error, wasInTransaction);
        }
        var changes = statement.CommandVerb is "INSERT" or "UPDATE" or "DELETE" ? raw.sqlite3_changes(_db) : 0;
        statement.Return(stmt);
        if (statement.Savepoint.Kind == SqlSavepointKind.RollbackTo)
        {
            // The statement that failed is undone: the transaction is usable again, as after PostgreSQL's ROLLBACK TO.
            _failed = false;
        }
        AfterStatement();
        return new SqlExecuteResult(LocalSqlCursor.Buffered(columns, rows, changes, statement.CommandVerb), null);
    }

    /// <summary>A statement failed: inside a transaction the session is now in the failed state, as PostgreSQL's is.</summary>
    internal SqlExecuteResult Failed(SqlError error, bool wasInTransaction)
    {
        OnError(wasInTransaction);
        return new SqlExecuteResult(null, StopError(error));
    }

    internal void OnError(bool wasInTransaction)
    {
        if (wasInTransaction || InSqliteTransaction)
        {
            _failed = true;
        }
        AfterStatement();
    }

    /// <summary>
    /// Frees the write lock once no transaction is open: the capture ended, or SQLite rolled its transaction back
    /// itself (an interrupted write, ON CONFLICT ROLLBACK), so another writer need not wait for this client's ROLLBACK.
    /// </summary>
    internal void AfterStatement()
    {
        if (_holdsLock && !InSqliteTransaction)
        {
            _holdsLock = false;
            _tenant.WriteLock.Release();
        }
    }

    private LocalSqlCursor RollbackFailed()
    {
        DropCapture();
        _failed = false;
        AfterStatement();
        return LocalSqlCursor.Completed([], 0, 0, "ROLLBACK");
    }

    public void Fail()
    {
        if (InSqliteTransaction)
        {
            _failed = true;
        }
    }

    public void Cancel() => Stop(StoppedByUser);

    internal void Forget(LocalSqlStatement statement) => _statements.Remove(statement);

    public async ValueTask DisposeAsync()
    {
        // After a leadership-loss abort that may be running on another thread.
        await _gate.WaitAsync();
        lock (_closeGate)
        {
            if (_disposed)
            {
                _gate.Release();
                return;
            }
            _disposed = true;
        }
        DropCapture();
        ReleaseWriteLock();
        foreach (var statement in _statements)
        {
            statement.Release();
        }
        _statements.Clear();
        _connection.Dispose();
        _tenant.Forget(this);
        _gate.Release();
    }

    private static string SavepointVerb(SqlSavepointKind kind) => kind switch
    {
        SqlSavepointKind.Savepoint => "SAVEPOINT",
        SqlSavepointKind.Release => "RELEASE SAVEPOINT",
        _ => "ROLLBACK TO SAVEPOINT",
    };
}
