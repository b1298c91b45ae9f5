using System.Text;

namespace IceFire.Gateway.Sql.Dialect;

/// <summary>
/// Turns the PostgreSQL spellings clients send into SQLite's: $1 placeholders become ?1, casts (::type) are
/// dropped, pg_catalog. qualifiers go (the catalog is emulated by TEMP tables), and the regular-expression
/// operators (a ~ b, a !~ b, a ~* b, OPERATOR(pg_catalog.~)) become REGEXP. SQLite's own syntax passes unchanged: a
/// prefix ~ is the bitwise NOT of both dialects. Literals, quoted names and comments are left alone.
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
            else if (c == '[' || c == '`')
            {
                // SQLite's other quoted names ([name], `name`): copied as they are, like "name". PostgreSQL's
                // subscripts (a[1]) are copied unchanged the same way.
                var end = sql.IndexOf(c == '[' ? ']' : '`', i + 1);
                end = end < 0 ? sql.Length : end + 1;
                output.Append(sql, i, end - i);
                operandStart = -1;
                i = end;
            }
            else if (c == '!' && At(sql, i, "!~") && !At(sql, i, "!~~"))
            {
                i += 2;
                AppendRegexp(sql, ref i, output, negated: true);
            }
            else if (c == '~' && !At(sql, i, "~~") && EndsWithOperand(output))
            {
                // PostgreSQL's ~ between two operands is a regular-expression match; before an operand (SELECT ~5,
                // 2 + ~x) it is the bitwise NOT that SQLite has too, and stays. ~~ (LIKE) has no exact SQLite
                // equivalent (SQLite's LIKE ignores ASCII case) and is left for SQLite to reject.
                i++;
                AppendRegexp(sql, ref i, output, negated: false);
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
                if (call && word.Equals("ARRAY", StringComparison.OrdinalIgnoreCase) && AtWord(sql, SkipSpaces(sql, next + 1), "SELECT"))
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

    /// <summary>
    /// The keywords after which an expression starts, so that a ~ following one is a prefix operator. Any other word
    /// (a name, NULL, END, a literal's suffix) ends an operand.
    /// </summary>
    private static readonly string[] ExpressionKeywords =
    [
        "SELECT", "WHERE", "AND", "OR", "NOT", "WHEN", "THEN", "ELSE", "CASE", "ON", "BY", "HAVING", "IS", "LIKE", "GLOB",
        "REGEXP", "MATCH", "BETWEEN", "DISTINCT", "ALL", "LIMIT", "OFFSET", "RETURNING", "ESCAPE", "IN", "EXISTS",
        "VALUES", "SET", "DEFAULT", "CHECK", "RETURN", "FILTER", "OVER", "AS", "COLLATE",
    ];

    /// <summary>
    /// The regular-expression match after PostgreSQL's ~ or !~ (i just past it): REGEXP, case-insensitive for ~*
    /// by prefixing the pattern with .NET's inline (?i) option.
    /// </summary>
    private static void AppendRegexp(string sql, ref int i, StringBuilder output, bool negated)
    {
        output.Append(negated ? " NOT REGEXP " : " REGEXP ");
        if (i < sql.Length && sql[i] == '*')
        {
            output.Append("'(?i)' || ");
            i++;
        }
    }

    /// <summary>Whether the text written so far ends with an operand, so that a following ~ is a binary operator.</summary>
    private static bool EndsWithOperand(StringBuilder output)
    {
        var end = output.Length;
        while (end > 0 && char.IsWhiteSpace(output[end - 1]))
        {
            end--;
        }
        if (end == 0)
        {
            return false;
        }
        var last = output[end - 1];
        if (last is ')' or '\'' or '"' or ']' or '`' || char.IsAsciiDigit(last))
        {
            return true;
        }
        if (!(char.IsLetter(last) || last is '_' or '$'))
        {
            return false;
        }
        var start = end;
        while (start > 0 && (char.IsLetterOrDigit(output[start - 1]) || output[start - 1] is '_' or '$'))
        {
            start--;
        }
        var word = output.ToString(start, end - start);
        foreach (var keyword in ExpressionKeywords)
        {
            if (word.Equals(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
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
