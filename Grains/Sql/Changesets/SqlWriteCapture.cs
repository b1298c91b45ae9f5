using Microsoft.Data.Sqlite;

namespace IceFire.Grains.Sql;

/// <summary>
/// Captures the effect of one write transaction on the leader's connection as a <see cref="SqlWriteUnit"/>: row
/// changes through a <see cref="SqliteSession"/>, schema statements as their text, in the order they ran.
/// </summary>
/// <remarks>
/// <para>
/// Use: <see cref="Begin"/> (BEGIN IMMEDIATE and a session), then for each statement either <see cref="Execute"/>, or
/// <see cref="BeforeStatement"/>, run it yourself on the connection inside <see cref="Transaction"/>, and
/// <see cref="AfterStatement"/>; then <see cref="Finish"/> for the unit and <see cref="Commit"/> or
/// <see cref="Rollback"/>. Disposing without committing rolls back, and the unit is discarded.
/// </para>
/// <para>
/// The session extension does not record schema changes, and a session cannot describe a table whose schema changed
/// after it recorded changes to it. So before a schema statement runs the current session is closed into a changeset
/// part, the statement's text becomes the next part, and a new session records what follows. A CREATE TABLE ... AS
/// SELECT is not replayed as text (its SELECT may call random() or read a clock): it becomes the created table's
/// schema as SQLite stored it, then a changeset inserting its rows with their rowids.
/// </para>
/// <para>
/// Savepoints (SAVEPOINT, ROLLBACK TO, RELEASE) run through <see cref="BeforeStatement"/> and
/// <see cref="AfterStatement"/> like any statement. A savepoint closes the current session into a part and remembers
/// how many parts there were; ROLLBACK TO drops the parts recorded since and the session that recorded what SQLite
/// just undid, so the unit holds exactly what the transaction keeps, including everything before the savepoint.
/// </para>
/// <para>Not thread-safe: one capture per connection, used by the thread that owns it.</para>
/// </remarks>
public sealed class SqlWriteCapture : IDisposable
{
    private const string CtasScratch = "_icefire_ctas";

    private readonly SqliteConnection _connection;
    private readonly List<SqlWritePart> _parts = [];
    private readonly List<(string Name, int Parts)> _savepoints = [];
    private SqliteSession? _session;
    private string? _pendingSchema;
    private SqlSavepointStatement _pendingSavepoint;
    private HashSet<string>? _tablesBefore;
    private Dictionary<string, long> _sequencesBefore = [];
    private SqlWriteUnit? _unit;
    private bool _ended;

    private SqlWriteCapture(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        Transaction = transaction;
    }

    /// <summary>The write transaction; statements run by the caller must be given it.</summary>
    public SqliteTransaction Transaction { get; }

    /// <summary>Begins a write transaction (BEGIN IMMEDIATE, so the write lock is held from the start) and a session.</summary>
    public static SqlWriteCapture Begin(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = connection.BeginTransaction(deferred: false);
        var capture = new SqlWriteCapture(connection, transaction);
        try
        {
            capture._sequencesBefore = capture.Sequences();
            capture._session = SqliteSession.Attach(connection);
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
        return capture;
    }

    /// <summary>
    /// Prepares to run one statement. Returns its kind; a <see cref="SqlStatementKind.Refused"/> statement must not
    /// run (answer the client an error), and nothing else needs doing. Otherwise run it, then call
    /// <see cref="AfterStatement"/>.
    /// </summary>
    public SqlStatementKind BeforeStatement(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ThrowIfFinished();
        if (_pendingSchema is not null)
        {
            throw new InvalidOperationException("AfterStatement was not called for the previous schema statement.");
        }
        var kind = SqlStatementClassifier.Classify(sql);
        if (kind == SqlStatementKind.Savepoint)
        {
            _pendingSavepoint = SqlSavepointStatement.Parse(sql);
        }
        else if (kind == SqlStatementKind.Schema)
        {
            CloseSession();
            _pendingSchema = sql;
            _tablesBefore = SqlStatementClassifier.IsCreateTable(sql) ? MainTables() : null;
        }
        return kind;
    }

    /// <summary>Records what the statement announced by <see cref="BeforeStatement"/> did.</summary>
    /// <param name="succeeded">False when the statement failed: SQLite undid it, so there is nothing to record.</param>
    public void AfterStatement(bool succeeded)
    {
        ThrowIfFinished();
        if (_pendingSavepoint.Kind != SqlSavepointKind.None)
        {
            var savepoint = _pendingSavepoint;
            _pendingSavepoint = default;
            if (succeeded)
            {
                AfterSavepoint(savepoint);
            }
            return;
        }
        if (_pendingSchema is null)
        {
            return;
        }
        var sql = _pendingSchema;
        var tablesBefore = _tablesBefore;
        _pendingSchema = null;
        _tablesBefore = null;
        if (succeeded && !RecordCreatedWithRows(tablesBefore))
        {
            _parts.Add(SqlWritePart.ForStatement(sql));
        }
        _session ??= SqliteSession.Attach(_connection);
    }

    /// <summary>Runs one statement (a single statement: further statements in the text are not classified).</summary>
    /// <returns>The rows it changed, as <see cref="SqliteCommand.ExecuteNonQuery"/> counts them.</returns>
    /// <exception cref="SqlStatementRefusedException">The statement cannot run in a replicated transaction.</exception>
    /// <exception cref="SqliteException">SQLite refused it; the statement left no effect.</exception>
    public int Execute(string sql)
    {
        if (BeforeStatement(sql) == SqlStatementKind.Refused)
        {
            throw new SqlStatementRefusedException($"The statement cannot run in a replicated write transaction: {sql}");
        }
        var succeeded = false;
        try
        {
            var changed = Run(sql);
            succeeded = true;
            return changed;
        }
        finally
        {
            AfterStatement(succeeded);
        }
    }

    /// <summary>
    /// Ends the capture and returns the transaction's unit; the transaction stays open until <see cref="Commit"/> or
    /// <see cref="Rollback"/>. Calling it again returns the same unit.
    /// </summary>
    public SqlWriteUnit Finish()
    {
        if (_unit is not null)
        {
            return _unit;
        }
        ThrowIfEnded();
        if (_pendingSchema is not null)
        {
            throw new InvalidOperationException("AfterStatement was not called for the last schema statement.");
        }
        CloseSession();
        RecordSequences();
        _unit = _parts.Count == 0 ? SqlWriteUnit.Empty : new SqlWriteUnit(_parts.ToArray());
        return _unit;
    }

    /// <summary>Commits the transaction and returns its unit (finishing the capture if needed).</summary>
    public SqlWriteUnit Commit()
    {
        var unit = Finish();
        Transaction.Commit();
        _ended = true;
        return unit;
    }

    /// <summary>Rolls the transaction back; its unit, if one was taken, must be discarded.</summary>
    public void Rollback()
    {
        ThrowIfEnded();
        _session?.Dispose();
        _session = null;
        Transaction.Rollback();
        _ended = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
        // SqliteTransaction rolls back on dispose when it was neither committed nor rolled back.
        Transaction.Dispose();
        _ended = true;
    }

    /// <summary>Keeps the parts in step with a savepoint statement SQLite has just run.</summary>
    private void AfterSavepoint(SqlSavepointStatement savepoint)
    {
        if (savepoint.Kind == SqlSavepointKind.Savepoint)
        {
            // What ran before the savepoint is closed into parts that a later ROLLBACK TO leaves alone.
            CloseSession();
            _savepoints.Add((savepoint.Name, _parts.Count));
            _session = SqliteSession.Attach(_connection);
            return;
        }
        var at = _savepoints.FindLastIndex(s => SqlSavepointStatement.SameName(s.Name, savepoint.Name));
        if (at < 0)
        {
            // SQLite ran it, so the savepoint exists; one this capture did not see began before it, with the transaction.
            return;
        }
        if (savepoint.Kind == SqlSavepointKind.Release)
        {
            // The changes stay, as part of the enclosing savepoint (or of the transaction).
            _savepoints.RemoveRange(at, _savepoints.Count - at);
            return;
        }
        // ROLLBACK TO: the savepoint stays, later ones are gone, and so is every change recorded since it was set.
        _savepoints.RemoveRange(at + 1, _savepoints.Count - at - 1);
        _parts.RemoveRange(_savepoints[at].Parts, _parts.Count - _savepoints[at].Parts);
        _session?.Dispose();
        _session = SqliteSession.Attach(_connection);
    }

    private void CloseSession()
    {
        if (_session is null)
        {
            return;
        }
        using var session = _session;
        _session = null;
        if (!session.IsEmpty)
        {
            var changeset = session.Changeset();
            if (changeset.Length > 0)
            {
                _parts.Add(SqlWritePart.ForChangeset(changeset));
            }
        }
    }

    /// <summary>
    /// After a CREATE TABLE: when it created a table that already holds rows (CREATE TABLE ... AS SELECT), records the
    /// table's stored schema and starts a session holding an insert of each row, and returns true.
    /// </summary>
    private bool RecordCreatedWithRows(HashSet<string>? tablesBefore)
    {
        if (tablesBefore is null)
        {
            return false;
        }
        foreach (var table in MainTables())
        {
            if (tablesBefore.Contains(table) || !HasRows(table))
            {
                continue;
            }
            var schema = Scalar("SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = $name", table)
                ?? throw new InvalidOperationException($"Table {table} has no schema text.");
            _parts.Add(SqlWritePart.ForStatement(schema));
            // The session sees only changes made while it is attached, and its changeset is the net effect per row: so
            // move the rows aside, empty the table, attach, and put them back under their old rowids.
            var quoted = Quote(table);
            var columns = string.Join(", ", Columns(table).Select(Quote));
            Run($"CREATE TEMP TABLE {CtasScratch} AS SELECT rowid AS {CtasScratch}_rowid, {columns} FROM main.{quoted}");
            Run($"DELETE FROM main.{quoted}");
            _session ??= SqliteSession.Attach(_connection);
            Run($"INSERT INTO main.{quoted} (rowid, {columns}) SELECT {CtasScratch}_rowid, {columns} " +
                $"FROM temp.{CtasScratch} ORDER BY {CtasScratch}_rowid");
            Run($"DROP TABLE temp.{CtasScratch}");
            return true;
        }
        return false;
    }

    /// <summary>
    /// Adds a statement setting each AUTOINCREMENT counter the transaction moved. The session does not record
    /// sqlite_sequence, and a replica's own counter only follows the rowids the changesets insert, which is less than
    /// the leader's after the highest row is deleted (or inserted and deleted in one transaction).
    /// </summary>
    private void RecordSequences()
    {
        foreach (var (table, seq) in Sequences())
        {
            if (_sequencesBefore.TryGetValue(table, out var before) && before == seq)
            {
                continue;
            }
            var name = "'" + table.Replace("'", "''", StringComparison.Ordinal) + "'";
            var value = seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _parts.Add(SqlWritePart.ForStatement(
                $"INSERT INTO main.sqlite_sequence (name, seq) SELECT {name}, {value} " +
                $"WHERE NOT EXISTS (SELECT 1 FROM main.sqlite_sequence WHERE name = {name})"));
            _parts.Add(SqlWritePart.ForStatement($"UPDATE main.sqlite_sequence SET seq = {value} WHERE name = {name}"));
        }
    }

    private Dictionary<string, long> Sequences()
    {
        var sequences = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var exists = NewCommand("SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'"))
        {
            if (exists.ExecuteScalar() is null)
            {
                return sequences;
            }
        }
        using var command = NewCommand("SELECT name, seq FROM main.sqlite_sequence");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0) && !reader.IsDBNull(1))
            {
                sequences[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        return sequences;
    }

    private HashSet<string> MainTables()
    {
        using var command = NewCommand("SELECT name FROM main.sqlite_schema WHERE type = 'table'");
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private List<string> Columns(string table)
    {
        using var command = NewCommand("SELECT name FROM pragma_table_info($name, 'main') ORDER BY cid");
        command.Parameters.AddWithValue("$name", table);
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }
        return columns;
    }

    private bool HasRows(string table)
    {
        using var command = NewCommand($"SELECT EXISTS (SELECT 1 FROM main.{Quote(table)})");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    private string? Scalar(string sql, string name)
    {
        using var command = NewCommand(sql);
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() as string;
    }

    private int Run(string sql)
    {
        using var command = NewCommand(sql);
        return command.ExecuteNonQuery();
    }

    private SqliteCommand NewCommand(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private void ThrowIfFinished()
    {
        ThrowIfEnded();
        if (_unit is not null)
        {
            throw new InvalidOperationException("The capture is finished; no statement may run after Finish.");
        }
    }

    private void ThrowIfEnded()
    {
        if (_ended)
        {
            throw new InvalidOperationException("The captured transaction has ended.");
        }
    }
}

/// <summary>A statement that cannot run in a replicated write transaction (see <see cref="SqlStatementKind.Refused"/>).</summary>
public sealed class SqlStatementRefusedException(string message) : Exception(message);
