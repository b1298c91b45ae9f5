using IceFire.Grains.Interfaces.Sql;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>A compiled statement of one session; a cursor borrows the compiled form while it runs.</summary>
internal sealed class LocalSqlStatement : ISqlStatement
{
    private readonly sqlite3 _db;
    private readonly LocalSqlSession _session;
    private sqlite3_stmt? _idle;
    private bool _disposed;

    public LocalSqlStatement(LocalSqlSession session, sqlite3 db, sqlite3_stmt stmt, string sql)
    {
        _session = session;
        _db = db;
        _idle = stmt;
        Sql = sql;
        ParameterCount = raw.sqlite3_bind_parameter_count(stmt);
        IsReadOnly = raw.sqlite3_stmt_readonly(stmt) != 0;
        CommandVerb = CommandVerbs.Of(sql, IsReadOnly);
        Savepoint = SqlSavepointStatement.Parse(sql);
        var count = raw.sqlite3_column_count(stmt);
        var columns = new SqlColumn[count];
        for (var i = 0; i < count; i++)
        {
            columns[i] = new SqlColumn(raw.sqlite3_column_name(stmt, i).utf8_to_string() ?? $"column{i + 1}",
                raw.sqlite3_column_decltype(stmt, i).utf8_to_string(), null, raw.sqlite3_column_table_name(stmt, i).utf8_to_string());
        }
        Columns = columns;
    }

    public string Sql { get; }

    public int ParameterCount { get; }

    public IReadOnlyList<SqlColumn> Columns { get; }

    public string CommandVerb { get; }

    public bool IsReadOnly { get; }

    /// <summary>The savepoint statement this is (SAVEPOINT, ROLLBACK TO, RELEASE), or kind None.</summary>
    public SqlSavepointStatement Savepoint { get; }

    /// <summary>The compiled form for one execution: the cached one when free, else a fresh copy.</summary>
    public sqlite3_stmt Borrow(out int rc)
    {
        rc = raw.SQLITE_OK;
        var stmt = Interlocked.Exchange(ref _idle, null);
        if (stmt is not null)
        {
            return stmt;
        }
        rc = raw.sqlite3_prepare_v2(_db, Sql, out stmt);
        return stmt;
    }

    /// <summary>Returns a borrowed form, reset and unbound, for the next execution.</summary>
    public void Return(sqlite3_stmt stmt)
    {
        raw.sqlite3_reset(stmt);
        raw.sqlite3_clear_bindings(stmt);
        if (_disposed || Interlocked.CompareExchange(ref _idle, stmt, null) is not null)
        {
            stmt.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _idle, null)?.Dispose();
        _session.Forget(this);
    }

    /// <summary>Finalizes the compiled form when the session closes, without touching the session's list.</summary>
    internal void Release()
    {
        _disposed = true;
        Interlocked.Exchange(ref _idle, null)?.Dispose();
    }
}
