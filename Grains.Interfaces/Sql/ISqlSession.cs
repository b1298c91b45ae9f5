namespace IceFire.Grains.Interfaces.Sql;

/// <summary>
/// One client's session on a tenant's database: prepared statements, open cursors and a transaction state.
/// </summary>
/// <remarks>
/// Not thread-safe: one call at a time (a protocol connection is sequential), except <see cref="Cancel"/>, which
/// may be called from any thread at any time. Disposing rolls back an open transaction and frees the write lock.
/// </remarks>
public interface ISqlSession : IAsyncDisposable
{
    SqlTransactionState TransactionState { get; }

    /// <summary>
    /// Whether reads outside a transaction may be answered by a replica on the client's own silo, as of what it has
    /// applied, without asking the leader: faster, and possibly stale (RESP's READONLY). Sessions that have no
    /// replicas to choose from ignore it.
    /// </summary>
    bool FollowerReads { get => false; set { } }

    /// <summary>
    /// PostgreSQL's statement_timeout: a statement still running this long after it was sent (waiting for its turn
    /// included) is stopped and fails with 57014 "canceling statement due to statement timeout"; inside a
    /// transaction the transaction is then failed. Zero (the default) for none.
    /// </summary>
    TimeSpan StatementTimeout { get => TimeSpan.Zero; set { } }

    /// <summary>
    /// Prepares the first statement of <paramref name="sql"/>. Returns it with the offset (in chars) where the
    /// rest of the text starts, or an error. A text holding only whitespace and comments gives no statement.
    /// </summary>
    SqlPrepareResult Prepare(string sql);

    /// <summary>
    /// <see cref="Prepare"/> for sessions whose statements compile elsewhere (on another silo): completes when the
    /// statement is compiled, without holding a thread meanwhile.
    /// </summary>
    ValueTask<SqlPrepareResult> PrepareAsync(string sql, CancellationToken cancellationToken) => ValueTask.FromResult(Prepare(sql));

    /// <summary>
    /// Binds <paramref name="parameters"/> (index 0 is ?1) and starts the statement. <paramref name="cancellationToken"/>
    /// stops it (the client went away, the silo stops): the statement then fails, or the call throws
    /// <see cref="OperationCanceledException"/> while it waited for its turn. A statement that writes runs to
    /// completion before the call answers (inside the open transaction, or committed through the tenant's group); a
    /// read is stepped to its first row and continued by <see cref="ISqlCursor.FetchAsync"/>. In the failed state only ROLLBACK (or COMMIT, which rolls back) runs.
    /// </summary>
    ValueTask<SqlExecuteResult> ExecuteAsync(ISqlStatement statement, ReadOnlyMemory<SqlValue> parameters, CancellationToken cancellationToken);

    /// <summary>Puts an open transaction in the failed state, for an error the gateway found itself (e.g. a bad parameter).</summary>
    void Fail();

    /// <summary>Interrupts the statement running now, which then fails with 57014; no effect when none runs.</summary>
    void Cancel();
}

/// <summary>The outcome of <see cref="ISqlSession.Prepare"/>: a statement (null for empty text) and where the rest starts, or an error.</summary>
public readonly record struct SqlPrepareResult(ISqlStatement? Statement, int TailOffset, SqlError? Error);

/// <summary>The outcome of <see cref="ISqlSession.ExecuteAsync"/>: a cursor over the results, or an error.</summary>
public readonly record struct SqlExecuteResult(ISqlCursor? Cursor, SqlError? Error);

/// <summary>
/// A prepared statement of one session. Executing it again reuses the compiled form; a statement may be executed
/// while an earlier cursor of it is still open (the session compiles a second copy then).
/// </summary>
public interface ISqlStatement : IDisposable
{
    /// <summary>The statement's SQL text.</summary>
    string Sql { get; }

    /// <summary>The largest parameter index the statement uses (?1 ... ?N).</summary>
    int ParameterCount { get; }

    /// <summary>Result columns known before execution (declared types; no storage classes).</summary>
    IReadOnlyList<SqlColumn> Columns { get; }

    /// <summary>The command's name for its completion tag: SELECT, INSERT, CREATE TABLE, BEGIN, ...</summary>
    string CommandVerb { get; }

    /// <summary>True when the statement does not write to the database (SQLite's sqlite3_stmt_readonly).</summary>
    bool IsReadOnly { get; }
}

/// <summary>
/// The rows of one execution, read in chunks (a PostgreSQL portal). The first chunk is already read when the cursor
/// is returned, so <see cref="Columns"/> carry the storage classes of the first row.
/// </summary>
public interface ISqlCursor : IAsyncDisposable
{
    IReadOnlyList<SqlColumn> Columns { get; }

    /// <summary>
    /// Hands up to <paramref name="maxRows"/> rows (0 for all) to <paramref name="sink"/>. The sink is called on the
    /// thread that steps the statement, one row at a time; the span is valid only during the call.
    /// </summary>
    ValueTask<SqlFetchResult> FetchAsync(int maxRows, ISqlRowSink sink, CancellationToken cancellationToken);
}

/// <summary>Receives rows from <see cref="ISqlCursor.FetchAsync"/>.</summary>
public interface ISqlRowSink
{
    void WriteRow(ReadOnlySpan<SqlValue> row);
}

/// <summary>
/// The outcome of one fetch: more rows remain (suspended), or the statement completed with its row count and its
/// changes (rows inserted, updated or deleted), or it failed.
/// </summary>
public readonly record struct SqlFetchResult(bool Suspended, long Rows, long Changes, string CommandVerb, SqlError? Error);
