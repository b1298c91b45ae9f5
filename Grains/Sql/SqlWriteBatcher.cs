using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// Group commit for a tenant's autocommit writes. Writes that arrive while a unit is being replicated
/// wait here; the next batch runs them one after another, each in a savepoint of one captured transaction on the
/// tenant's writer connection, and proposes them as one unit: one log entry, one replication round and one apply
/// for the whole batch. A statement that fails is rolled back to its savepoint alone; the others go on. Explicit
/// transactions keep their own session's capture and exclude batches through the tenant's write lock.
/// </summary>
internal sealed class SqlWriteBatcher : IAsyncDisposable
{
    private const int MaxBatch = 512;
    private const int MaxCachedStatements = 256;

    private readonly LocalSqlTenant _tenant;
    private readonly ISqlReplication _replication;
    private readonly ConcurrentQueue<PendingWrite> _queue = new();
    private readonly Dictionary<string, sqlite3_stmt> _statements = new(StringComparer.Ordinal);
    private readonly SqlNullKeys _nullKeys = new();
    private SqliteConnection? _connection;
    private PendingWrite? _current;
    private int _running;
    private volatile bool _closed;

    public SqlWriteBatcher(LocalSqlTenant tenant, ISqlReplication replication)
    {
        _tenant = tenant;
        _replication = replication;
    }

    /// <summary>
    /// Runs one autocommit write in the next batch; completes once its batch is committed and applied here. A write
    /// still running at <paramref name="deadline"/> (<see cref="Environment.TickCount64"/>), or whose
    /// <paramref name="cancellationToken"/> fires, is stopped and answers 57014; one not started by then does not run.
    /// </summary>
    public Task<WriteOutcome> RunAsync(string sql, SqlValue[] parameters, IReadOnlyList<SqlColumn> columns, string verb, SqlSessionOptions options,
        long deadline = long.MaxValue, CancellationToken cancellationToken = default)
    {
        var pending = new PendingWrite(sql, parameters, columns, verb, options, deadline, cancellationToken);
        _queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _ = Task.Run(LoopAsync);
        }
        return pending.Done.Task;
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            while (!_queue.IsEmpty)
            {
                await RunBatchAsync().ConfigureAwait(false);
            }
            Interlocked.Exchange(ref _running, 0);
            // Whatever arrived after the last look and before the flag went down is run by this loop or the next.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task RunBatchAsync()
    {
        await _tenant.WriteLock.WaitAsync().ConfigureAwait(false);
        var batch = new List<PendingWrite>();
        try
        {
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
            {
                batch.Add(next);
            }
            if (_closed)
            {
                Fail(batch, new SqlError(SqlStates.AdminShutdown, "the tenant's database was closed"));
                return;
            }
            try
            {
                await _replication.BeforeWriteAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (SqlReplicationException e)
            {
                Fail(batch, e.Error);
                return;
            }
            SqlWriteUnit unit;
            try
            {
                unit = await SqlWorkers.RunAsync(() => Execute(batch)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException or ObjectDisposedException or TenantUnavailableException)
            {
                Fail(batch, new SqlError(SqlStates.InternalError, $"the batch of writes could not run: {e.Message}"));
                DropConnection();
                return;
            }
            if (!unit.IsEmpty)
            {
                try
                {
                    await _replication.CommitAsync(unit, CancellationToken.None).ConfigureAwait(false);
                }
                catch (SqlReplicationException e)
                {
                    Fail(batch, e.Error);
                    return;
                }
            }
            foreach (var write in batch)
            {
                write.Done.TrySetResult(write.Outcome!);
            }
        }
        finally
        {
            _tenant.WriteLock.Release();
        }
    }

    /// <summary>
    /// Runs the batch in one capture on the writer connection and rolls it back; returns the unit. A write SQLite
    /// interrupts takes the whole transaction with it (SQLite rolls back a write statement that is interrupted), so the
    /// batch then runs again without it.
    /// </summary>
    private SqlWriteUnit Execute(List<PendingWrite> batch)
    {
        if (_connection is null)
        {
            _connection = _tenant.OpenWriter(batch[0].Options);
            raw.sqlite3_progress_handler(_connection.Handle!, LocalSqlSession.ProgressInstructions, OnProgress, this);
        }
        var connection = _connection;
        var db = connection.Handle!;
        while (true)
        {
            var capture = SqlWriteCapture.Begin(connection);
            var lost = false;
            try
            {
                foreach (var write in batch)
                {
                    if (write.Stopped)
                    {
                        continue;
                    }
                    write.Outcome = RunOne(capture, connection, db, write);
                    if (raw.sqlite3_get_autocommit(db) != 0)
                    {
                        lost = true;
                        break;
                    }
                }
                if (!lost)
                {
                    var unit = capture.Finish();
                    capture.Rollback();
                    return unit;
                }
            }
            finally
            {
                Volatile.Write(ref _current, null);
                if (lost)
                {
                    DisposeLost(capture);
                }
            }
        }
    }

    /// <summary>Drops a capture whose transaction SQLite already rolled back.</summary>
    private static void DisposeLost(SqlWriteCapture capture)
    {
        try
        {
            capture.Dispose();
        }
        catch (SqliteException)
        {
            // No transaction was left to roll back.
        }
    }

    /// <summary>The progress handler of the writer connection: stops the running write past its deadline or once its caller is gone.</summary>
    private static int OnProgress(object state)
    {
        var write = Volatile.Read(ref ((SqlWriteBatcher)state)._current);
        return write is not null && write.ShouldStop() ? 1 : 0;
    }

    private WriteOutcome RunOne(SqlWriteCapture capture, SqliteConnection connection, sqlite3 db, PendingWrite write)
    {
        if (capture.BeforeStatement(write.Sql) is SqlStatementKind.Refused or SqlStatementKind.Savepoint)
        {
            capture.AfterStatement(false);
            return WriteOutcome.Failed(new SqlError(SqlStates.FeatureNotSupported,
                $"{write.Verb} is not supported on a replicated database: its effect cannot be replicated"));
        }
        if (write.ShouldStop())
        {
            // Its time ran out, or its client went away, while it waited for this batch: it does not run.
            capture.AfterStatement(false);
            return write.StoppedOutcome();
        }
        Exec(db, "SAVEPOINT _icefire_write");
        Volatile.Write(ref _current, write);
        var (outcome, succeeded) = Step(db, write);
        Volatile.Write(ref _current, null);
        if (!succeeded && (outcome.Error?.SqliteCode & 0xff) == SqliteErrors.Interrupt)
        {
            outcome = write.StoppedOutcome();
            if (raw.sqlite3_get_autocommit(db) != 0)
            {
                // The transaction is gone; the caller runs the batch again without this write.
                return outcome;
            }
        }
        capture.AfterStatement(succeeded);
        if (succeeded && _nullKeys.Find(connection, capture.Transaction) is { } violation)
        {
            (outcome, succeeded) = (WriteOutcome.Failed(violation), false);
        }
        if (!succeeded)
        {
            Exec(db, "ROLLBACK TO _icefire_write");
        }
        Exec(db, "RELEASE _icefire_write");
        return outcome;
    }

    private (WriteOutcome Outcome, bool Succeeded) Step(sqlite3 db, PendingWrite write)
    {
        if (!_statements.TryGetValue(write.Sql, out var stmt))
        {
            var rc = raw.sqlite3_prepare_v2(db, write.Sql, out stmt);
            if (rc != raw.SQLITE_OK)
            {
                stmt?.Dispose();
                return (WriteOutcome.Failed(SqliteErrors.FromConnection(db, rc)), false);
            }
            if (_statements.Count >= MaxCachedStatements)
            {
                ClearStatements();
            }
            _statements[write.Sql] = stmt;
        }
        try
        {
            for (var i = 0; i < write.Parameters.Length && i < raw.sqlite3_bind_parameter_count(stmt); i++)
            {
                var rc = SqliteFunctions.Bind(stmt, i + 1, write.Parameters[i]);
                if (rc != raw.SQLITE_OK)
                {
                    return (WriteOutcome.Failed(SqliteErrors.FromConnection(db, rc)), false);
                }
            }
            var rows = new List<SqlValue[]>();
            var step = LocalSqlCursor.ReadToEnd(stmt, raw.sqlite3_step(stmt), write.Columns, rows, out var columns);
            if (step != raw.SQLITE_DONE)
            {
                return (WriteOutcome.Failed(SqliteErrors.FromConnection(db, step)), false);
            }
            var changes = write.Verb is "INSERT" or "UPDATE" or "DELETE" ? raw.sqlite3_changes(db) : 0;
            var rowid = write.Verb == "INSERT" ? raw.sqlite3_last_insert_rowid(db) : (long?)null;
            return (new WriteOutcome(columns, rows, changes, rowid, null), true);
        }
        finally
        {
            raw.sqlite3_reset(stmt);
            raw.sqlite3_clear_bindings(stmt);
        }
    }

    private static void Exec(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_exec(db, sql, out var error);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"{sql}: {error}", rc);
        }
    }

    private static void Fail(List<PendingWrite> batch, SqlError error)
    {
        foreach (var write in batch)
        {
            write.Done.TrySetResult(WriteOutcome.Failed(error));
        }
    }

    private void ClearStatements()
    {
        foreach (var stmt in _statements.Values)
        {
            stmt.Dispose();
        }
        _statements.Clear();
    }

    private void DropConnection()
    {
        ClearStatements();
        _connection?.Dispose();
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        _closed = true;
        // A batch in flight finishes first; then the connection is no one's.
        await _tenant.WriteLock.WaitAsync().ConfigureAwait(false);
        try
        {
            DropConnection();
        }
        finally
        {
            _tenant.WriteLock.Release();
        }
        while (_queue.TryDequeue(out var left))
        {
            left.Done.TrySetResult(WriteOutcome.Failed(new SqlError(SqlStates.AdminShutdown, "the tenant's database was closed")));
        }
    }

    private sealed class PendingWrite(string sql, SqlValue[] parameters, IReadOnlyList<SqlColumn> columns, string verb, SqlSessionOptions options,
        long deadline, CancellationToken cancellationToken)
    {
        /// <summary>Set once the write was stopped (timeout or caller gone): it keeps its 57014 and does not run again.</summary>
        public bool Stopped { get; private set; }

        public bool ShouldStop() => cancellationToken.IsCancellationRequested || Environment.TickCount64 >= deadline;

        public WriteOutcome StoppedOutcome()
        {
            Stopped = true;
            LocalSqlSession.CountInterrupted();
            return WriteOutcome.Failed(cancellationToken.IsCancellationRequested ? LocalSqlSession.UserCancelError : LocalSqlSession.StatementTimeoutError);
        }

        public string Sql => sql;

        public SqlValue[] Parameters => parameters;

        public IReadOnlyList<SqlColumn> Columns => columns;

        public string Verb => verb;

        public SqlSessionOptions Options => options;

        public WriteOutcome? Outcome { get; set; }

        public TaskCompletionSource<WriteOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What one batched write came to: its rows (RETURNING), change count and last rowid, or its error.</summary>
internal sealed record WriteOutcome(IReadOnlyList<SqlColumn> Columns, List<SqlValue[]> Rows, long Changes, long? LastRowid, SqlError? Error)
{
    public static WriteOutcome Failed(SqlError error) => new([], [], 0, null, error);
}
