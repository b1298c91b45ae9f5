using IceFire.Grains.Interfaces.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// How a session's statements reach the replica's database: an explicit transaction (BEGIN ... COMMIT) runs inside a
/// <see cref="SqlWriteCapture"/> on the session's connection under the tenant's write lock; an autocommit statement
/// that writes joins the next batch of <see cref="SqlWriteBatcher"/>. Either way the capture is rolled back and its
/// unit proposed to the tenant's group (<see cref="ISqlReplication"/>); the client hears the outcome once the unit is
/// applied here from the log, as on every replica. Reads outside a transaction wait for a read barrier first.
/// </summary>
internal sealed partial class LocalSqlSession
{
    private static readonly SqlError LeaderLostError = new(SqlStates.SerializationFailure,
        "the transaction was rolled back: this silo stopped leading the tenant's group; run it again");

    /// <summary>Serializes a statement with <see cref="AbortWrite"/>, which may come from another thread.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqlNullKeys _nullKeys = new();
    private SqlWriteCapture? _capture;
    private ulong _captureTerm;
    private bool _explicit;
    private bool _leaderLost;

    /// <summary>Reads only, from what the replica has applied (<see cref="LocalSqlTenant.OpenFollowerReaderAsync"/>).</summary>
    internal bool IsFollowerReader { get; init; }

    /// <summary>What the session was opened with; batched writes run on a connection set up the same way.</summary>
    internal SqlSessionOptions Options { get; init; } = new();

    /// <summary>Runs a statement <see cref="ExecuteAsync"/> let through: as a follower read, in the open capture, as a BEGIN that opens one, as a read, or in the next batch.</summary>
    private async ValueTask<SqlExecuteResult> RunAsync(LocalSqlStatement statement, ReadOnlyMemory<SqlValue> parameters, bool inTransaction, CancellationToken cancellationToken)
    {
        var replication = _tenant.Replication;
        if (IsFollowerReader)
        {
            if (!statement.IsReadOnly || inTransaction || statement.CommandVerb is "BEGIN" or "SAVEPOINT")
            {
                return new SqlExecuteResult(null, new SqlError(SqlStates.ReadOnlyTransaction,
                    $"cannot execute {statement.CommandVerb} in a follower read: it serves reads outside transactions only"));
            }
            return await StartAsync(statement, parameters, wasInTransaction: false, cancellationToken);
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var verb = statement.CommandVerb;
            if (inTransaction && _capture is not null)
            {
                if (replication.LeaderTerm != _captureTerm)
                {
                    // Leadership moved since BEGIN: the transaction can no longer commit.
                    DropCapture();
                    ReleaseWriteLock();
                    if (LeaderLost(verb) is { } lost)
                    {
                        return lost;
                    }
                    _failed = false;
                    return new SqlExecuteResult(LocalSqlCursor.Completed(statement.Columns, 0, 0, "ROLLBACK"), null);
                }
                if (verb is "COMMIT" or "END")
                {
                    return await CommitCaptureAsync(replication, statement.Columns, verb);
                }
                if (verb == "ROLLBACK" && statement.Savepoint.Kind == SqlSavepointKind.None)
                {
                    DropCapture();
                    ReleaseWriteLock();
                    return new SqlExecuteResult(LocalSqlCursor.Completed(statement.Columns, 0, 0, verb), null);
                }
                // Savepoint statements are read-only to SQLite, but the capture must see them to keep its parts in step.
                return statement.IsReadOnly && statement.Savepoint.Kind == SqlSavepointKind.None
                    ? await StartAsync(statement, parameters, wasInTransaction: true, cancellationToken)
                    : await StepAsync(() => StartCaptured(statement, parameters), () => Failed(StatementTimeoutError, _explicit), Deadline, cancellationToken);
            }
            if (verb == "BEGIN")
            {
                if (await BeginCaptureAsync(replication, cancellationToken) is { } refused)
                {
                    return new SqlExecuteResult(null, refused);
                }
                _explicit = true;
                return new SqlExecuteResult(LocalSqlCursor.Completed(statement.Columns, 0, 0, verb), null);
            }
            if (statement.IsReadOnly)
            {
                try
                {
                    await replication.BeforeReadAsync(cancellationToken);
                }
                catch (SqlReplicationException e)
                {
                    return new SqlExecuteResult(null, e.Error);
                }
                return await StartAsync(statement, parameters, wasInTransaction: false, cancellationToken);
            }
            // One statement that writes: it rides in the next batch of autocommit writes, committed through the log
            // with the others before the answer.
            var outcome = await _tenant.Batcher.RunAsync(statement.Sql, parameters.ToArray(), statement.Columns, verb, Options, Deadline, cancellationToken);
            if (outcome.Error is { } error)
            {
                return new SqlExecuteResult(null, error);
            }
            _batchedChanges = outcome.Changes;
            if (outcome.LastRowid is { } rowid)
            {
                // last_insert_rowid() on this session answers for the insert it ran elsewhere.
                SqliteNative.SetLastInsertRowid(_db.DangerousGetHandle(), rowid);
            }
            return new SqlExecuteResult(LocalSqlCursor.Buffered(outcome.Columns, outcome.Rows, outcome.Changes, verb), null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The answer to <paramref name="verb"/>, the first statement after this replica stopped leading and rolled the
    /// session's transaction back: 40001 for anything but a ROLLBACK (null), which ends the transaction as asked. A
    /// COMMIT did not commit, so it fails and ends the transaction (an answer of ROLLBACK would read as success to a
    /// client that checks no command tag); any other statement fails and leaves it failed until its end.
    /// </summary>
    private SqlExecuteResult? LeaderLost(string verb)
    {
        if (verb == "ROLLBACK")
        {
            return null;
        }
        _failed = verb is not ("COMMIT" or "END");
        return new SqlExecuteResult(null, LeaderLostError);
    }

    /// <summary>Takes the write lock, waits until this replica may write, and opens the capture; or says why not.</summary>
    private async ValueTask<SqlError?> BeginCaptureAsync(ISqlReplication replication, CancellationToken cancellationToken)
    {
        if (!await WaitUntilDeadlineAsync(_tenant.WriteLock, cancellationToken))
        {
            return StopError(StatementTimeoutError);
        }
        _holdsLock = true;
        try
        {
            await replication.BeforeWriteAsync(cancellationToken);
            _captureTerm = replication.LeaderTerm;
            _capture = await SqlWorkers.RunAsync(() => SqlWriteCapture.Begin(_connection));
            return null;
        }
        catch (SqlReplicationException e)
        {
            ReleaseWriteLock();
            return e.Error;
        }
        catch (SqliteException e)
        {
            ReleaseWriteLock();
            return SqliteErrors.FromConnection(_db, e.SqliteErrorCode);
        }
        catch
        {
            ReleaseWriteLock();
            throw;
        }
    }

    /// <summary>Runs a statement that writes inside the open capture, recording what it did.</summary>
    private SqlExecuteResult StartCaptured(LocalSqlStatement statement, ReadOnlyMemory<SqlValue> parameters)
    {
        _batchedChanges = null;
        var capture = _capture!;
        try
        {
            SqlStatementKind kind;
            using (HoldInterrupts())
            {
                kind = capture.BeforeStatement(statement.Sql);
            }
            if (kind == SqlStatementKind.Refused)
            {
                // PRAGMAs that write, temporary or virtual tables: their effect cannot be captured, so they do not run.
                return Failed(new SqlError(SqlStates.FeatureNotSupported,
                    $"{statement.CommandVerb} is not supported on a replicated database: its effect cannot be replicated"), _explicit);
            }
            var result = Start(statement, parameters, _explicit);
            using (HoldInterrupts())
            {
                capture.AfterStatement(result.Error is null);
                if (result.Error is null && _nullKeys.Find(_connection, capture.Transaction) is { } violation)
                {
                    return Failed(violation, _explicit);
                }
            }
            return result;
        }
        catch (SqliteException e)
        {
            // The capture could not record what the statement did (an interrupt that reached its own queries while a
            // portal kept an older one pending, a full disk): it no longer matches the transaction, so neither may
            // commit. Both are rolled back; the session stays failed until the client ends the transaction.
            var error = SqliteErrors.FromConnection(_db, e.SqliteErrorCode);
            DropCapture();
            ReleaseWriteLock();
            _failed = true;
            return new SqlExecuteResult(null, StopError(error));
        }
    }

    /// <summary>Ends the capture: rolls it back here, proposes its unit, and answers once the unit is applied.</summary>
    private async ValueTask<SqlExecuteResult> CommitCaptureAsync(ISqlReplication replication, IReadOnlyList<SqlColumn> columns, string verb)
    {
        SqlWriteUnit unit;
        try
        {
            unit = await SqlWorkers.RunAsync(() => _capture!.Finish());
        }
        finally
        {
            DropCapture();
        }
        try
        {
            if (!unit.IsEmpty)
            {
                await replication.CommitAsync(unit, CancellationToken.None);
            }
            return new SqlExecuteResult(LocalSqlCursor.Completed(columns, 0, 0, verb is "END" ? "COMMIT" : verb), null);
        }
        catch (SqlReplicationException e)
        {
            return new SqlExecuteResult(null, e.Error);
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    /// <summary>Rolls back the capture's transaction (SQLite may have done so already, after an interrupt).</summary>
    private void DropCapture()
    {
        var capture = _capture;
        _capture = null;
        _explicit = false;
        try
        {
            capture?.Dispose();
        }
        catch (SqliteException)
        {
            // No transaction was left to roll back.
        }
        if (InSqliteTransaction)
        {
            raw.sqlite3_exec(_db, "ROLLBACK");
        }
    }

    private void ReleaseWriteLock()
    {
        if (_holdsLock)
        {
            _holdsLock = false;
            _tenant.WriteLock.Release();
        }
    }

    /// <summary>
    /// This replica stopped leading: interrupts the running statement, rolls back an open write transaction and frees
    /// the write lock. Callable from any thread; the work runs on the thread pool.
    /// </summary>
    internal void AbortWrite()
    {
        if (_capture is not null)
        {
            Cancel();
        }
        _ = Task.Run(async () =>
        {
            await _gate.WaitAsync();
            try
            {
                if (_capture is not null && !_disposed)
                {
                    var wasExplicit = _explicit;
                    DropCapture();
                    ReleaseWriteLock();
                    _leaderLost = wasExplicit;
                }
            }
            finally
            {
                _gate.Release();
            }
        });
    }
}
