using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IceFire.Silo.Tests.Sql.Differential;

/// <summary>
/// Runs a script through the SQL gateway twice (Npgsql's extended protocol with binary results, on one tenant; the
/// simple protocol's text results through <see cref="PgWire"/>, on another) and through SQLite directly (a file of
/// its own, with the gateway's foreign_keys=ON), and compares every statement's rows or error class.
/// </summary>
/// <remarks>
/// PostgreSQL's transactions differ from SQLite's in one way the comparison models: after an error inside a
/// transaction the gateway answers 25P02 until ROLLBACK (or ROLLBACK TO a savepoint), and its COMMIT rolls back;
/// SQLite undoes only the failed statement. While the gateway's transaction is failed, SQLite skips the statements
/// and runs ROLLBACK for COMMIT.
/// </remarks>
internal sealed class DifferentialRunner(NpgsqlConnection npgsql, PgWire wire, SqliteConnection sqlite)
{
    private bool _inTransaction;
    private bool _failed;

    public int Statements { get; private set; }

    public int ExtendedPassed { get; private set; }

    public int SimplePassed { get; private set; }

    public List<string> Mismatches { get; } = [];

    public async Task RunAsync(string file)
    {
        foreach (var (line, sql) in SqlScript.Read(file))
        {
            Statements++;
            var word = FirstWords(sql);
            var expectFailedState = _failed && !(word.StartsWith("ROLLBACK", StringComparison.Ordinal) || word.StartsWith("COMMIT", StringComparison.Ordinal) || word.StartsWith("END", StringComparison.Ordinal));
            Outcome expected;
            if (expectFailedState)
            {
                expected = Outcome.Failed("25P02");
            }
            else if (PostgresOnly(word) is { } answer)
            {
                expected = answer;
            }
            else
            {
                var direct = _failed && (word.StartsWith("COMMIT", StringComparison.Ordinal) || word.StartsWith("END", StringComparison.Ordinal)) ? "ROLLBACK"
                    : word.StartsWith("START TRANSACTION", StringComparison.Ordinal) ? "BEGIN"
                    : sql;
                expected = Sqlite(direct);
            }
            var extended = await NpgsqlAsync(sql);
            var simple = await SimpleAsync(sql);
            if (Same(expected, extended))
            {
                ExtendedPassed++;
            }
            else
            {
                Mismatches.Add($"{file}:{line} (extended) {sql}\n  sqlite:  {expected}\n  gateway: {extended}");
            }
            if (Same(expected, simple))
            {
                SimplePassed++;
            }
            else
            {
                Mismatches.Add($"{file}:{line} (simple) {sql}\n  sqlite:  {expected}\n  gateway: {simple}");
            }
            Track(word, extended.Error is not null);
        }
    }

    /// <summary>The transaction state the gateway is in after a statement, as PostgreSQL defines it.</summary>
    private void Track(string word, bool failed)
    {
        if (word.StartsWith("BEGIN", StringComparison.Ordinal) || word.StartsWith("START TRANSACTION", StringComparison.Ordinal))
        {
            _inTransaction |= !failed;
            return;
        }
        if (word.StartsWith("ROLLBACK TO", StringComparison.Ordinal) || word.StartsWith("ROLLBACK TRANSACTION TO", StringComparison.Ordinal))
        {
            _failed = failed && _failed;
            return;
        }
        if (word.StartsWith("COMMIT", StringComparison.Ordinal) || word.StartsWith("END", StringComparison.Ordinal) || word.StartsWith("ROLLBACK", StringComparison.Ordinal))
        {
            _inTransaction = false;
            _failed = false;
            return;
        }
        if (failed && _inTransaction)
        {
            _failed = true;
        }
    }

    /// <summary>
    /// PostgreSQL's answer where it differs from SQLite's by design: COMMIT, END or ROLLBACK outside a transaction and
    /// BEGIN inside one only warn (SQLite refuses them), so the statement succeeds and SQLite does not run it.
    /// </summary>
    private Outcome? PostgresOnly(string word)
    {
        var ends = word.StartsWith("COMMIT", StringComparison.Ordinal) || word.StartsWith("END", StringComparison.Ordinal) ||
            (word.StartsWith("ROLLBACK", StringComparison.Ordinal) && !word.StartsWith("ROLLBACK TO", StringComparison.Ordinal));
        var begins = word.StartsWith("BEGIN", StringComparison.Ordinal) || word.StartsWith("START TRANSACTION", StringComparison.Ordinal);
        return (ends && !_inTransaction) || (begins && _inTransaction) ? new Outcome([], null) : null;
    }

    private static string FirstWords(string sql)
    {
        var words = sql.TrimStart().Split([' ', '\n', '\t', ';'], 4, StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', words.Take(3)).ToUpperInvariant();
    }

    /// <summary>Equal rows, or errors of the same class: constraint violations by their exact SQLSTATE.</summary>
    private static bool Same(Outcome expected, Outcome actual)
    {
        if (expected.Error is { } want)
        {
            if (actual.Error is not { } got)
            {
                return false;
            }
            return want == "*" || (want.Length == 5 ? got == want : got.StartsWith(want, StringComparison.Ordinal));
        }
        if (actual.Rows is null || actual.Rows.Count != expected.Rows!.Count)
        {
            return false;
        }
        for (var i = 0; i < actual.Rows.Count; i++)
        {
            if (!actual.Rows[i].AsSpan().SequenceEqual(expected.Rows[i]))
            {
                return false;
            }
        }
        return true;
    }

    private Outcome Sqlite(string sql)
    {
        try
        {
            using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new List<string[]>();
            do
            {
                while (reader.Read())
                {
                    var row = new string[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = Outcome.Render(reader.GetValue(i));
                    }
                    rows.Add(row);
                }
            }
            while (reader.NextResult());
            return new Outcome(rows, null);
        }
        catch (SqliteException e)
        {
            return Outcome.Failed(ExpectedState(e.SqliteExtendedErrorCode, e.Message));
        }
    }

    /// <summary>The SQLSTATE (or class) a SQLite error should reach a PostgreSQL client as.</summary>
    private static string ExpectedState(int extended, string message) => extended switch
    {
        2067 or 1555 => "23505",
        1299 => "23502",
        787 => "23503",
        275 => "23514",
        3091 => "42804",
        _ when (extended & 0xff) == 19 => "23",
        _ when (extended & 0xff) == 1 && message.Contains("integer overflow", StringComparison.Ordinal) => "22003",
        _ when (extended & 0xff) == 1 && message.Contains("malformed JSON", StringComparison.Ordinal) => "22P02",
        _ when (extended & 0xff) == 1 => "42",
        _ => "*",
    };

    private async Task<Outcome> NpgsqlAsync(string sql)
    {
        try
        {
            // A batch of one: Npgsql sends its text as it is (a command's text would be split at each ';', a trigger's body too).
            await using var batch = new NpgsqlBatch(npgsql) { BatchCommands = { new NpgsqlBatchCommand(sql) } };
            await using var reader = await batch.ExecuteReaderAsync();
            var rows = new List<string[]>();
            do
            {
                while (await reader.ReadAsync())
                {
                    var row = new string[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = Outcome.Render(reader.GetValue(i), reader.GetDataTypeName(i));
                    }
                    rows.Add(row);
                }
            }
            while (await reader.NextResultAsync());
            return new Outcome(rows, null);
        }
        catch (PostgresException e)
        {
            return Outcome.Failed(e.SqlState);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or NpgsqlException)
        {
            return Outcome.Failed($"client: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<Outcome> SimpleAsync(string sql)
    {
        var results = await wire.QueryAsync(sql);
        var rows = new List<string[]>();
        foreach (var result in results)
        {
            if (result.SqlState is { } state)
            {
                return Outcome.Failed(state);
            }
            try
            {
                foreach (var fields in result.Rows)
                {
                    var row = new string[fields.Length];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = Outcome.RenderText(fields[i], result.Columns[i].Oid);
                    }
                    rows.Add(row);
                }
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return Outcome.Failed($"client: {e.Message} ({Encoding.UTF8.GetString(result.Rows[0][0] ?? [])})");
            }
        }
        return new Outcome(rows, null);
    }
}
