using System.Text;

namespace IceFire.Gateway.Sql.Dialect;

/// <summary>
/// Turns the PostgreSQL spellings clients send into SQLite's: $1 placeholders become ?1, casts (::type) are
/// dropped, pg_catalog. qualifiers go (the catalog is emulated by TEMP tables), and the regular-expression
/// operators (~, !~, OPERATOR(pg_catalog.~)) become REGEXP. Literals, quoted names and comments are left alone.
/// </summary>
internal static class PgRewriter
{
    public static string Rewrite(string sql)
    {
        // PostgreSQL resolves a bare ORDER BY name to an output column first; SQLite looks in the joined tables,
        // where Npgsql's enum query (pg_type joined with pg_namespace) finds two oids. Its output column 1 is meant.
        if (sql.Contains("enumlabel", StringComparison.Ordinal))
        {
            sql = sql.Replace("ORDER BY oid,", "ORDER BY 1,", StringComparison.Ordinal).Replace("ORDER BY oid;", "ORDER BY 1;", StringComparison.Ordinal);
        }
        if (!NeedsRewrite(sql))
        {
            return sql;
        }
        var output = new StringBuilder(sql.Length);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                var end = i + 1;
                while (end < sql.Length)
                {
                    if (sql[end] == c)
                    {
                        if (end + 1 < sql.Length && sql[end + 1] == c)
                        {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.Min(end + 1, sql.Length);
                output.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '-' && At(sql, i, "--"))
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                output.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '/' && At(sql, i, "/*"))
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? sql.Length : end + 2;
                output.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '$' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]))
            {
                output.Append('?');
                i++;
            }
            else if (c == ':' && At(sql, i, "::"))
            {
                i = SkipTypeName(sql, i + 2);
            }
            else if (c == '!' && At(sql, i, "!~"))
            {
                output.Append(" NOT REGEXP ");
                i += 2;
                if (i < sql.Length && sql[i] == '*')
                {
                    i++;
                }
            }
            else if (c == '~')
            {
                output.Append(" REGEXP ");
                i++;
                if (i < sql.Length && sql[i] == '*')
                {
                    i++;
                }
            }
            else if (c == 'O' && AtWord(sql, i, "OPERATOR(pg_catalog.~)"))
            {
                output.Append(" REGEXP ");
                i += "OPERATOR(pg_catalog.~)".Length;
            }
            else if ((c == 'C' || c == 'c') && AtWord(sql, i, "COLLATE pg_catalog.default"))
            {
                i += "COLLATE pg_catalog.default".Length;
            }
            else if ((c == 'p' || c == 'P') && AtWord(sql, i, "pg_catalog."))
            {
                i += "pg_catalog.".Length;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }
                output.Append(sql, start, i - start);
            }
            else
            {
                output.Append(c);
                i++;
            }
        }
        return output.ToString();
    }

    private static bool NeedsRewrite(string sql) =>
        sql.Contains('$') || sql.Contains("::", StringComparison.Ordinal) || sql.Contains('~') ||
        sql.Contains("pg_catalog", StringComparison.OrdinalIgnoreCase);

    private static bool At(string sql, int i, string token) => string.CompareOrdinal(sql, i, token, 0, token.Length) == 0;

    private static bool AtWord(string sql, int i, string token) =>
        i + token.Length <= sql.Length && string.Compare(sql, i, token, 0, token.Length, StringComparison.OrdinalIgnoreCase) == 0 &&
        (i == 0 || !(char.IsLetterOrDigit(sql[i - 1]) || sql[i - 1] == '_'));

    /// <summary>The index after a cast's type: a qualified name, words such as "character varying", a (n) modifier and [].</summary>
    private static int SkipTypeName(string sql, int i)
    {
        while (i < sql.Length && sql[i] == ' ')
        {
            i++;
        }
        if (i < sql.Length && sql[i] == '"')
        {
            var end = sql.IndexOf('"', i + 1);
            i = end < 0 ? sql.Length : end + 1;
        }
        while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '.'))
        {
            i++;
        }
        foreach (var more in (ReadOnlySpan<string>)[" varying", " precision", " with time zone", " without time zone"])
        {
            if (AtWord(sql, i, more))
            {
                i += more.Length;
            }
        }
        if (i < sql.Length && sql[i] == '(')
        {
            var end = sql.IndexOf(')', i);
            i = end < 0 ? sql.Length : end + 1;
        }
        while (i + 1 < sql.Length && sql[i] == '[' && sql[i + 1] == ']')
        {
            i += 2;
        }
        return i;
    }

    /// <summary>The offset just after the statement starting at <paramref name="start"/>: after its ';' or at the end.</summary>
    public static int StatementEnd(string sql, int start)
    {
        var i = start;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                var end = sql.IndexOf(c, i + 1);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '-' && At(sql, i, "--"))
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && At(sql, i, "/*"))
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else if (c == ';')
            {
                return i + 1;
            }
            else
            {
                i++;
            }
        }
        return sql.Length;
    }

    /// <summary>The index of the first character that is not whitespace, a comment or a ';'.</summary>
    public static int SkipBlank(string sql, int i)
    {
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i]) || sql[i] == ';')
            {
                i++;
            }
            else if (At(sql, i, "--"))
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (At(sql, i, "/*"))
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                break;
            }
        }
        return i;
    }
}
