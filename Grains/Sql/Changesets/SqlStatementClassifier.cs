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
        if (SqlText.Is(first, "SELECT") || SqlText.Is(first, "INSERT") || SqlText.Is(first, "UPDATE") || SqlText.Is(first, "DELETE")
            || SqlText.Is(first, "REPLACE") || SqlText.Is(first, "WITH") || SqlText.Is(first, "VALUES"))
        {
            return SqlStatementKind.Data;
        }
        if (SqlText.Is(first, "CREATE"))
        {
            // Temporary objects live in the connection's own "temp" schema and virtual tables keep their rows where
            // the session cannot see them: neither replicates.
            var second = NextKeyword(ref rest);
            return SqlText.Is(second, "TEMP") || SqlText.Is(second, "TEMPORARY") || SqlText.Is(second, "VIRTUAL")
                ? SqlStatementKind.Refused
                : SqlStatementKind.Schema;
        }
        if (SqlText.Is(first, "ALTER") || SqlText.Is(first, "DROP") || SqlText.Is(first, "ANALYZE") || SqlText.Is(first, "REINDEX"))
        {
            return SqlStatementKind.Schema;
        }
        return SqlSavepointStatement.Parse(sql).Kind == SqlSavepointKind.None ? SqlStatementKind.Refused : SqlStatementKind.Savepoint;
    }

    /// <summary>Whether the statement is a CREATE TABLE (which may be a CREATE TABLE ... AS SELECT).</summary>
    internal static bool IsCreateTable(ReadOnlySpan<char> sql)
    {
        var rest = sql;
        return SqlText.Is(NextKeyword(ref rest), "CREATE") && SqlText.Is(NextKeyword(ref rest), "TABLE");
    }

    private static ReadOnlySpan<char> NextKeyword(ref ReadOnlySpan<char> sql)
    {
        var i = SqlText.SkipSpaceAndComments(sql, 0);
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
