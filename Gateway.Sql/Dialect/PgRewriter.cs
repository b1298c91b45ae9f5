using System.Text;

namespace IceFire.Gateway.Sql.Dialect;

/// <summary>
/// Turns the PostgreSQL spellings clients send into SQLite's: $1 placeholders become ?1, casts (::type) are
/// dropped, pg_catalog. qualifiers go (the catalog is emulated by TEMP tables), and the regular-expression
/// operators (~, !~, OPERATOR(pg_catalog.~)) become REGEXP. Literals, quoted names and comments are left alone.
/// Catalog queries get more (PgRewriter.Catalog.cs).
/// </summary>
internal static partial class PgRewriter
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
        sql = RewriteWholeQueries(sql);
        // psql's catalog queries name pg_catalog; only they get true and false typed as bool (psql tests "t").
        var catalog = sql.Contains("pg_catalog.", StringComparison.Ordinal);
        var output = new StringBuilder(sql.Length);
        // Where the last operand (a literal or a possibly qualified name) starts in output, for a ::regclass cast.
        var operandStart = -1;
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                if (output.Length == 0 || output[^1] != '.')
                {
                    operandStart = output.Length;
                }
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
                operandStart = -1;
                i++;
            }
            else if (c == ':' && At(sql, i, "::"))
            {
                var typeStart = i + 2;
                i = SkipTypeName(sql, typeStart);
                var type = sql.AsSpan(typeStart, i - typeStart).Trim();
                if (type.StartsWith("pg_catalog.", StringComparison.OrdinalIgnoreCase))
                {
                    type = type["pg_catalog.".Length..];
                }
                if (operandStart >= 0 && type.Equals("regclass", StringComparison.OrdinalIgnoreCase))
                {
                    RewriteRegclass(output, operandStart);
                }
                operandStart = -1;
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
                var word = sql.AsSpan(start, i - start);
                var next = SkipSpaces(sql, i);
                var call = next < sql.Length && sql[next] == '(';
                if (call && DefinitionView(word) is { } view && TryRewriteDefinition(sql, view, next, output, out var end))
                {
                    i = end;
                    operandStart = -1;
                    continue;
                }
                if (call && word.Equals("ARRAY", StringComparison.OrdinalIgnoreCase))
                {
                    // ARRAY(subquery): arrays are not emulated, so its first value stands for it.
                    continue;
                }
                if (call && word.Equals("ANY", StringComparison.OrdinalIgnoreCase) && TryRewriteAny(output))
                {
                    continue;
                }
                if (catalog && (word.Equals("true", StringComparison.OrdinalIgnoreCase) || word.Equals("false", StringComparison.OrdinalIgnoreCase)) &&
                    (output.Length == 0 || output[^1] != '.'))
                {
                    output.Append("(SELECT b FROM temp.pg_bool WHERE b = ").Append(word[0] is 't' or 'T' ? '1' : '0').Append(')');
                    operandStart = -1;
                    continue;
                }
                if (output.Length == 0 || output[^1] != '.')
                {
                    operandStart = output.Length;
                }
                output.Append(word);
            }
            else
            {
                if (c != '.')
                {
                    operandStart = -1;
                }
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
