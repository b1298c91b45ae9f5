namespace IceFire.Grains.Sql;

/// <summary>How a statement run inside a captured write transaction is replicated.</summary>
public enum SqlStatementKind
{
    /// <summary>Reads or changes rows (SELECT, INSERT, UPDATE, DELETE, REPLACE, WITH, VALUES): captured by the session.</summary>
    Data,

    /// <summary>Changes the schema (CREATE, ALTER, DROP, ANALYZE, REINDEX): replicated as its text.</summary>
    Schema,

    /// <summary>
    /// Cannot be replicated by effect and must not run in a captured transaction: transaction control (the capture
    /// owns the transaction), ATTACH and DETACH, VACUUM, PRAGMA, temporary and virtual tables, anything unknown.
    /// </summary>
    Refused,

    /// <summary>
    /// SAVEPOINT, ROLLBACK TO or RELEASE inside the captured transaction: runs, and the capture keeps its parts in step
    /// with it (<see cref="SqlSavepointStatement"/>).
    /// </summary>
    Savepoint,
}

/// <summary>Classifies one SQL statement by its leading keywords, the way SQLite's grammar starts each kind.</summary>
public static class SqlStatementClassifier
{
    /// <summary>The kind of the first statement in <paramref name="sql"/>; comments and white space are skipped.</summary>
    public static SqlStatementKind Classify(ReadOnlySpan<char> sql)
    {
        var rest = sql;
        var first = NextKeyword(ref rest);
        if (Is(first, "SELECT") || Is(first, "INSERT") || Is(first, "UPDATE") || Is(first, "DELETE")
            || Is(first, "REPLACE") || Is(first, "WITH") || Is(first, "VALUES"))
        {
            return SqlStatementKind.Data;
        }
        if (Is(first, "CREATE"))
        {
            // Temporary objects live in the connection's own "temp" schema and virtual tables keep their rows where
            // the session cannot see them: neither replicates.
            var second = NextKeyword(ref rest);
            return Is(second, "TEMP") || Is(second, "TEMPORARY") || Is(second, "VIRTUAL")
                ? SqlStatementKind.Refused
                : SqlStatementKind.Schema;
        }
        if (Is(first, "ALTER") || Is(first, "DROP") || Is(first, "ANALYZE") || Is(first, "REINDEX"))
        {
            return SqlStatementKind.Schema;
        }
        return SqlSavepointStatement.Parse(sql).Kind == SqlSavepointKind.None ? SqlStatementKind.Refused : SqlStatementKind.Savepoint;
    }

    /// <summary>Whether the statement is a CREATE TABLE (which may be a CREATE TABLE ... AS SELECT).</summary>
    internal static bool IsCreateTable(ReadOnlySpan<char> sql)
    {
        var rest = sql;
        return Is(NextKeyword(ref rest), "CREATE") && Is(NextKeyword(ref rest), "TABLE");
    }

    private static bool Is(ReadOnlySpan<char> word, string keyword) =>
        word.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private static ReadOnlySpan<char> NextKeyword(ref ReadOnlySpan<char> sql)
    {
        var i = 0;
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i]))
            {
                i++;
            }
            else if (sql[i] == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql[(i + 2)..].IndexOf("*/");
                i = end < 0 ? sql.Length : i + 2 + end + 2;
            }
            else
            {
                break;
            }
        }
        var start = i;
        while (i < sql.Length && char.IsAsciiLetter(sql[i]))
        {
            i++;
        }
        var word = sql[start..i];
        sql = sql[i..];
        return word;
    }
}
