namespace IceFire.Grains.Sql;

/// <summary>The savepoint statements of SQLite's (and PostgreSQL's) grammar.</summary>
public enum SqlSavepointKind
{
    /// <summary>Not a savepoint statement.</summary>
    None,

    /// <summary><c>SAVEPOINT name</c>.</summary>
    Savepoint,

    /// <summary><c>ROLLBACK [TRANSACTION] TO [SAVEPOINT] name</c>: undoes what followed the savepoint, which stays.</summary>
    RollbackTo,

    /// <summary><c>RELEASE [SAVEPOINT] name</c>: forgets the savepoint and every later one, keeping their changes.</summary>
    Release,
}

/// <summary>A savepoint statement and the savepoint it names, read from its leading keywords.</summary>
/// <param name="Kind">Which statement it is; <see cref="SqlSavepointKind.None"/> for any other statement.</param>
/// <param name="Name">The savepoint's name without quotes; empty for <see cref="SqlSavepointKind.None"/>.</param>
public readonly record struct SqlSavepointStatement(SqlSavepointKind Kind, string Name)
{
    /// <summary>Reads the first statement of <paramref name="sql"/>; comments and white space are skipped.</summary>
    public static SqlSavepointStatement Parse(ReadOnlySpan<char> sql)
    {
        var at = 0;
        var first = sql[NextWord(sql, ref at)];
        if (SqlText.Is(first, "SAVEPOINT"))
        {
            return Named(SqlSavepointKind.Savepoint, sql[NextWord(sql, ref at)]);
        }
        if (SqlText.Is(first, "RELEASE"))
        {
            return Named(SqlSavepointKind.Release, sql[NameAfterSavepointKeyword(sql, ref at)]);
        }
        if (!SqlText.Is(first, "ROLLBACK"))
        {
            return default;
        }
        var word = sql[NextWord(sql, ref at)];
        if (SqlText.Is(word, "TRANSACTION"))
        {
            word = sql[NextWord(sql, ref at)];
        }
        return SqlText.Is(word, "TO") ? Named(SqlSavepointKind.RollbackTo, sql[NameAfterSavepointKeyword(sql, ref at)]) : default;
    }

    /// <summary>The next word, or the one after it when it is the optional SAVEPOINT keyword.</summary>
    private static Range NameAfterSavepointKeyword(ReadOnlySpan<char> sql, ref int at)
    {
        var word = NextWord(sql, ref at);
        if (!SqlText.Is(sql[word], "SAVEPOINT"))
        {
            return word;
        }
        var next = NextWord(sql, ref at);
        return next.End.Value > next.Start.Value ? next : word;
    }

    /// <summary>Whether savepoint names <paramref name="a"/> and <paramref name="b"/> are the same (SQLite compares them case-blind).</summary>
    public static bool SameName(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static SqlSavepointStatement Named(SqlSavepointKind kind, ReadOnlySpan<char> name) => new(kind, Unquote(name));

    private static string Unquote(ReadOnlySpan<char> name)
    {
        if (name.Length >= 2 && (name[0], name[^1]) is ('"', '"') or ('[', ']') or ('`', '`') or ('\'', '\''))
        {
            var quote = name[0] == '[' ? "]" : name[^1].ToString();
            return name[1..^1].ToString().Replace(quote + quote, quote, StringComparison.Ordinal);
        }
        return name.ToString();
    }

    /// <summary>The next word (an identifier, or a quoted name with its quotes), skipping white space and comments.</summary>
    private static Range NextWord(ReadOnlySpan<char> sql, ref int i)
    {
        i = SqlText.SkipSpaceAndComments(sql, i);
        var start = i;
        if (i < sql.Length && sql[i] is '"' or '[' or '`' or '\'')
        {
            var close = sql[i] == '[' ? ']' : sql[i];
            i++;
            while (i < sql.Length)
            {
                if (sql[i] == close)
                {
                    // A doubled quote stands for one inside the name.
                    if (close != ']' && i + 1 < sql.Length && sql[i + 1] == close)
                    {
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                i++;
            }
        }
        else
        {
            while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
            {
                i++;
            }
        }
        return start..i;
    }
}
