using IceFire.Grains.Interfaces.Sql;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// The rows of one execution: either read ahead (a write, run to completion) or stepped on demand (a read whose
/// first row is already stepped), handed out in chunks for PostgreSQL's portals.
/// </summary>
internal sealed class LocalSqlCursor : ISqlCursor
{
    private readonly LocalSqlSession? _session;
    private readonly LocalSqlStatement? _statement;
    private readonly bool _wasInTransaction;
    private readonly long _deadline = long.MaxValue;
    private readonly List<SqlValue[]>? _buffered;
    private readonly long _changes;
    private readonly string _verb;
    private sqlite3_stmt? _stmt;
    private SqlValue[]? _row;
    private int _next;
    private long _rows;

    /// <summary>A read positioned on its first row.</summary>
    public LocalSqlCursor(LocalSqlSession session, LocalSqlStatement statement, sqlite3_stmt stmt, bool wasInTransaction)
    {
        _session = session;
        _statement = statement;
        _stmt = stmt;
        _wasInTransaction = wasInTransaction;
        _deadline = session.Deadline;
        _verb = statement.CommandVerb;
        _row = new SqlValue[raw.sqlite3_column_count(stmt)];
        ReadRow();
        Columns = WithStorageClasses(statement.Columns, _row);
    }

    private LocalSqlCursor(IReadOnlyList<SqlColumn> columns, List<SqlValue[]>? rows, long changes, string verb)
    {
        Columns = columns;
        _buffered = rows;
        _changes = changes;
        _verb = verb;
    }

    public static LocalSqlCursor Buffered(IReadOnlyList<SqlColumn> columns, List<SqlValue[]> rows, long changes, string verb) =>
        new(columns, rows, changes, verb);

    public static LocalSqlCursor Completed(IReadOnlyList<SqlColumn> columns, long rows, long changes, string verb) =>
        new(columns, null, changes, verb);

    public IReadOnlyList<SqlColumn> Columns { get; }

    /// <summary>
    /// Steps <paramref name="stmt"/> to its end from result code <paramref name="rc"/> (the last step's), collecting
    /// every row; returns the final result code (SQLITE_DONE when it ran through) and the columns with the first row's
    /// storage classes.
    /// </summary>
    public static int ReadToEnd(sqlite3_stmt stmt, int rc, IReadOnlyList<SqlColumn> declared, List<SqlValue[]> rows, out IReadOnlyList<SqlColumn> columns)
    {
        var count = raw.sqlite3_column_count(stmt);
        columns = declared;
        while (rc == raw.SQLITE_ROW)
        {
            var row = new SqlValue[count];
            for (var i = 0; i < count; i++)
            {
                row[i] = SqliteFunctions.Column(stmt, i);
            }
            if (rows.Count == 0)
            {
                columns = WithStorageClasses(columns, row);
            }
            rows.Add(row);
            rc = raw.sqlite3_step(stmt);
        }
        return rc;
    }

    /// <summary>The columns with the storage classes of <paramref name="row"/>'s values.</summary>
    public static IReadOnlyList<SqlColumn> WithStorageClasses(IReadOnlyList<SqlColumn> columns, SqlValue[] row)
    {
        var result = new SqlColumn[columns.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = columns[i] with { StorageClass = i < row.Length ? row[i].Kind : null };
        }
        return result;
    }

    private void ReadRow()
    {
        for (var i = 0; i < _row!.Length; i++)
        {
            _row[i] = SqliteFunctions.Column(_stmt!, i);
        }
    }

    public ValueTask<SqlFetchResult> FetchAsync(int maxRows, ISqlRowSink sink, CancellationToken cancellationToken)
    {
        if (_stmt is null)
        {
            return ValueTask.FromResult(FetchBuffered(maxRows, sink));
        }
        // Each chunk is a turn of its own: a long read lets the tenant's other statements step between its chunks.
        return _session!.StepAsync(() => FetchLive(maxRows, sink), TimedOut, _deadline, cancellationToken);
    }

    /// <summary>The statement's deadline passed while it waited for its next turn: it ends here with 57014.</summary>
    private SqlFetchResult TimedOut()
    {
        var stmt = _stmt!;
        _stmt = null;
        _statement!.Return(stmt);
        _session!.OnError(_wasInTransaction);
        return new SqlFetchResult(false, _rows, 0, _verb, _session.StopError(LocalSqlSession.StatementTimeoutError));
    }

    private SqlFetchResult FetchBuffered(int maxRows, ISqlRowSink sink)
    {
        var rows = _buffered ?? [];
        var sent = 0;
        while (_next < rows.Count)
        {
            if (maxRows > 0 && sent == maxRows)
            {
                return new SqlFetchResult(true, _next, _changes, _verb, null);
            }
            sink.WriteRow(rows[_next++]);
            sent++;
        }
        return new SqlFetchResult(false, rows.Count, _changes, _verb, null);
    }

    private SqlFetchResult FetchLive(int maxRows, ISqlRowSink sink)
    {
        var sent = 0;
        while (true)
        {
            if (maxRows > 0 && sent == maxRows)
            {
                return new SqlFetchResult(true, _rows, 0, _verb, null);
            }
            sink.WriteRow(_row);
            sent++;
            _rows++;
            var rc = raw.sqlite3_step(_stmt!);
            if (rc == raw.SQLITE_ROW)
            {
                ReadRow();
                continue;
            }
            var stmt = _stmt!;
            _stmt = null;
            if (rc == raw.SQLITE_DONE)
            {
                _statement!.Return(stmt);
                _session!.AfterStatement();
                return new SqlFetchResult(false, _rows, 0, _verb, null);
            }
            var error = SqliteErrors.FromConnection(raw.sqlite3_db_handle(stmt), rc);
            _statement!.Return(stmt);
            _session!.OnError(_wasInTransaction);
            return new SqlFetchResult(false, _rows, 0, _verb, _session.StopError(error));
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_stmt is { } stmt)
        {
            _stmt = null;
            _statement!.Return(stmt);
            _session!.AfterStatement();
        }
        return ValueTask.CompletedTask;
    }
}
