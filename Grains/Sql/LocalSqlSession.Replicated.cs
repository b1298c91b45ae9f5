using IceFire.Grains.Interfaces.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// Sessions on a replica's database: a write transaction, explicit (BEGIN ... COMMIT) or one autocommit statement,
/// runs inside a <see cref="SqlWriteCapture"/> under the tenant's write lock. At its end the capture is rolled back
/// and its unit proposed; the client hears COMMIT once the unit is applied here from the log, as on every replica.
/// </summary>
internal sealed partial class LocalSqlSession
{
    private static readonly SqlError LeaderLostError = new(SqlStates.SerializationFailure,
        "the transaction was rolled back: this silo stopped leading the tenant's group; run it again");

    /// <summary>Serializes a statement with <see cref="AbortWrite"/>, which may come from another thread.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqlWriteCapture? _capture;
    private ulong _captureTerm;
    private bool _explicit;
    private bool _leaderLost;

    /// <summary>Reads only, from what the replica has applied (<see cref="LocalSqlTenant.OpenFollowerReaderAsync"/>).</summary>
    internal bool IsFollowerReader { get; init; }

    private async ValueTask<SqlExecuteResult> ExecuteReplicatedAsync(
        ISqlReplication replication, LocalSqlStatement statement, ReadOnlyMemory<SqlValue> parameters, bool inTransaction, CancellationToken cancellationToken)
    {
        if (IsFollowerReader)
        {
            if (!statement.IsReadOnly || inTransaction || statement.CommandVerb is "BEGIN" or "SAVEPOINT")
            {
                return new SqlExecuteResult(null, new SqlError(SqlStates.ReadOnlyTransaction,
                    $"cannot execute {statement.CommandVerb} in a follower read: it serves reads outside transactions only"));
            }
            return await Task.Run(() => Start(statement, parameters, wasInTransaction: false), CancellationToken.None);
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
                    _failed = verb is not ("ROLLBACK" or "COMMIT" or "END");
                    return _failed
                        ? new SqlExecuteResult(null, LeaderLostError)
                        : new SqlExecuteResult(LocalSqlCursor.Completed(statement.Columns, 0, 0, "ROLLBACK"), null);
                }
                if (verb is "COMMIT" or "END" && !IsRollbackTo(statement.Sql))
                {
                    return await CommitCaptureAsync(replication, statement.Columns, verb);
                }
                if (verb == "ROLLBACK" && !IsRollbackTo(statement.Sql))
                {
                    DropCapture();
                    ReleaseWriteLock();
                    return new SqlExecuteResult(LocalSqlCursor.Completed(statement.Columns, 0, 0, verb), null);
                }
                return await Task.Run(() => statement.IsReadOnly ? Start(statement, parameters, wasInTransaction: true) : StartCaptured(statement, parameters), CancellationToken.None);
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
                return await Task.Run(() => Start(statement, parameters, wasInTransaction: false), CancellationToken.None);
            }
            // One statement that writes: its own captured transaction, committed through the log before the answer.
            if (await BeginCaptureAsync(replication, cancellationToken) is { } error)
            {
                return new SqlExecuteResult(null, error);
            }
            var result = await Task.Run(() => StartCaptured(statement, parameters), CancellationToken.None);
            if (result.Error is not null)
            {
                // Not a failed transaction block: the statement was the whole transaction.
                _failed = false;
                DropCapture();
                ReleaseWriteLock();
                return result;
            }
            var commit = await CommitCaptureAsync(replication, statement.Columns, verb);
            return commit.Error is null ? result : commit;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Takes the write lock, waits until this replica may write, and opens the capture; or says why not.</summary>
    private async ValueTask<SqlError?> BeginCaptureAsync(ISqlReplication replication, CancellationToken cancellationToken)
    {
        await _tenant.WriteLock.WaitAsync(cancellationToken);
        _holdsLock = true;
        try
        {
            await replication.BeforeWriteAsync(cancellationToken);
            _captureTerm = replication.LeaderTerm;
            _capture = await Task.Run(() => SqlWriteCapture.Begin(_connection), CancellationToken.None);
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
        var capture = _capture!;
        if (capture.BeforeStatement(statement.Sql) == SqlStatementKind.Refused && statement.CommandVerb is not ("SAVEPOINT" or "RELEASE" or "ROLLBACK"))
        {
            // PRAGMAs that write, temporary or virtual tables: their effect cannot be captured, so they do not run.
            return Failed(new SqlError(SqlStates.FeatureNotSupported,
                $"{statement.CommandVerb} is not supported on a replicated database: its effect cannot be replicated"), _explicit);
        }
        var result = Start(statement, parameters, _explicit);
        capture.AfterStatement(result.Error is null);
        if (result.Error is null && NullKeyViolation(capture) is { } violation)
        {
            return Failed(violation, _explicit);
        }
        return result;
    }

    /// <summary>Tables whose declared PRIMARY KEY may hold NULL, as of a schema version.</summary>
    private (long Version, List<(string Table, string Column)> Keys)? _nullableKeys;

    /// <summary>
    /// A NULL in a primary key column, refused as PostgreSQL refuses it (23502). SQLite lets a PRIMARY KEY that is
    /// neither INTEGER PRIMARY KEY nor in a WITHOUT ROWID table hold NULL, but its session extension records no change
    /// to such a row: it would never reach the log, and the write would be acknowledged and lost.
    /// </summary>
    private SqlError? NullKeyViolation(SqlWriteCapture capture)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = capture.Transaction;
        command.CommandText = "PRAGMA schema_version";
        var version = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (_nullableKeys is not { } known || known.Version != version)
        {
            var keys = new List<(string, string)>();
            command.CommandText = """
                SELECT t.name, c.name, c.type, (SELECT count(*) FROM pragma_table_info(t.name, 'main') k WHERE k.pk > 0)
                FROM pragma_table_list t JOIN pragma_table_info(t.name, 'main') c
                WHERE t.schema = 'main' AND t.type = 'table' AND t.wr = 0 AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
                  AND c.pk > 0 AND c."notnull" = 0
                """;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    // A lone INTEGER PRIMARY KEY is the rowid itself: a NULL there takes the next rowid.
                    if (reader.GetInt64(3) == 1 && string.Equals(reader.GetString(2), "INTEGER", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }
                    keys.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
            _nullableKeys = known = (version, keys);
        }
        foreach (var (table, column) in known.Keys)
        {
            command.CommandText = $"SELECT EXISTS (SELECT 1 FROM main.{Quote(table)} WHERE {Quote(column)} IS NULL)";
            if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0)
            {
                return new SqlError(SqlStates.NotNullViolation, $"null value in column \"{column}\" of relation \"{table}\" violates not-null constraint (a primary key column)");
            }
        }
        return null;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Ends the capture: rolls it back here, proposes its unit, and answers once the unit is applied.</summary>
    private async ValueTask<SqlExecuteResult> CommitCaptureAsync(ISqlReplication replication, IReadOnlyList<SqlColumn> columns, string verb)
    {
        SqlWriteUnit unit;
        try
        {
            unit = await Task.Run(() => _capture!.Finish(), CancellationToken.None);
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
