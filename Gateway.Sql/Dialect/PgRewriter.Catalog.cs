using System.Text;
using System.Text.RegularExpressions;

namespace IceFire.Gateway.Sql.Dialect;

/// <summary>
/// The PostgreSQL forms psql's describe queries use that SQLite cannot parse or evaluate: the pg_get_*def
/// functions (which read the catalog), regclass casts, = ANY (...), ARRAY(subquery), typed true/false, and a few
/// whole queries about features SQLite lacks.
/// </summary>
internal static partial class PgRewriter
{
    /// <summary>psql's publications footer reads arrays by subscript over generate_series; SQLite has no publications.</summary>
    private const string NoPublications = "SELECT NULL AS pubname, NULL AS prqual, NULL AS prattrs WHERE 0";

    /// <summary>
    /// pg_partition_ancestors(rel) as a FROM item (psql's trigger footer): without partitions a relation's only
    /// ancestor is itself, at depth 1.
    /// </summary>
    [GeneratedRegex(@"(?:pg_catalog\.)?pg_partition_ancestors\(([\w.]+)\)\s+WITH\s+ORDINALITY\s+AS\s+(\w+)\((\w+),\s*(\w+)\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PartitionAncestorsWithOrdinality();

    /// <summary>
    /// unnest(array) alias as a FROM item (psql's \d+ reads the TOAST table's reloptions so): arrays are not
    /// emulated and the catalogs hold none, so it is empty.
    /// </summary>
    [GeneratedRegex(@"(?:pg_catalog\.)?unnest\(([\w.]+)\)\s+(?:AS\s+)?(\w+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UnnestAlias();

    /// <summary>Whole-text replacements made before the token pass.</summary>
    private static string RewriteWholeQueries(string sql)
    {
        if (!sql.Contains("pg_catalog.", StringComparison.Ordinal))
        {
            return sql;
        }
        if (sql.Contains("pg_catalog.pg_publication", StringComparison.Ordinal) && sql.AsSpan().TrimStart().StartsWith("SELECT pubname", StringComparison.Ordinal))
        {
            return NoPublications;
        }
        if (sql.Contains("WITH ORDINALITY", StringComparison.OrdinalIgnoreCase))
        {
            sql = PartitionAncestorsWithOrdinality().Replace(sql, "(SELECT $1 AS $3, 1 AS $4) AS $2");
        }
        if (sql.Contains("unnest(", StringComparison.OrdinalIgnoreCase))
        {
            sql = UnnestAlias().Replace(sql, "(SELECT NULL AS $2 WHERE 0) AS $2");
        }
        return sql;
    }

    /// <summary>
    /// The catalog functions that look up a definition by OID, each answered by a TEMP view of (defoid, def) or,
    /// for pg_get_indexdef, (defoid, defcolno, def). The view's column names differ from the callers' so that an
    /// unqualified argument (psql passes a bare "oid") still binds to the caller's row.
    /// </summary>
    private static string? DefinitionView(ReadOnlySpan<char> function) => function switch
    {
        _ when function.Equals("pg_get_indexdef", StringComparison.OrdinalIgnoreCase) => "pg_sqlite_indexdef",
        _ when function.Equals("pg_get_constraintdef", StringComparison.OrdinalIgnoreCase) => "pg_sqlite_constraintdef",
        _ when function.Equals("pg_get_triggerdef", StringComparison.OrdinalIgnoreCase) => "pg_sqlite_triggerdef",
        _ when function.Equals("pg_get_viewdef", StringComparison.OrdinalIgnoreCase) => "pg_sqlite_viewdef",
        _ => null,
    };

    /// <summary>
    /// pg_get_indexdef(oid [, column, pretty]) and its kin at <paramref name="open"/> (the '(' after the name) as a
    /// scalar subquery over their view; <paramref name="end"/> is the index after the closing ')'.
    /// </summary>
    private static bool TryRewriteDefinition(string sql, string view, int open, StringBuilder output, out int end)
    {
        var arguments = new List<string>();
        end = open + 1;
        var depth = 0;
        var argumentStart = end;
        while (end < sql.Length)
        {
            var c = sql[end];
            if (c is '\'' or '"')
            {
                var close = sql.IndexOf(c, end + 1);
                end = close < 0 ? sql.Length : close + 1;
                continue;
            }
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth-- == 0)
            {
                arguments.Add(sql[argumentStart..end]);
                end++;
                break;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add(sql[argumentStart..end]);
                argumentStart = end + 1;
            }
            end++;
        }
        if (depth >= 0 || arguments.Count == 0)
        {
            return false;
        }
        output.Append("(SELECT def FROM temp.").Append(view).Append(" WHERE defoid = (").Append(Rewrite(arguments[0])).Append(')');
        if (view == "pg_sqlite_indexdef")
        {
            output.Append(" AND defcolno = (").Append(arguments.Count > 1 ? Rewrite(arguments[1]) : "0").Append(')');
        }
        output.Append(')');
        return true;
    }

    /// <summary>
    /// A regclass cast of the operand that starts at <paramref name="operandStart"/> in <paramref name="output"/>.
    /// regclass compares as an OID and prints as a name; the gateway cannot keep both, so a quoted name becomes its
    /// OID (what 'gadgets'::regclass is compared with) and anything else, an OID, becomes the name it prints as.
    /// A quoted number is already an OID.
    /// </summary>
    private static void RewriteRegclass(StringBuilder output, int operandStart)
    {
        var operand = output.ToString(operandStart, output.Length - operandStart);
        output.Length = operandStart;
        if (operand.Length >= 2 && operand[0] == '\'' && operand[^1] == '\'')
        {
            var name = operand[1..^1];
            if (name.Length > 0 && name.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
            {
                output.Append(operand);
                return;
            }
            foreach (var schema in (ReadOnlySpan<string>)["public.", "pg_catalog."])
            {
                if (name.StartsWith(schema, StringComparison.Ordinal))
                {
                    name = name[schema.Length..];
                }
            }
            if (name.Length > 2 && name[0] == '"' && name[^1] == '"')
            {
                name = name[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
            }
            output.Append("(SELECT regoid FROM temp.pg_sqlite_regclass WHERE regname = '").Append(name).Append("')");
            return;
        }
        output.Append("(SELECT regname FROM temp.pg_sqlite_regclass WHERE regoid = ").Append(operand).Append(')');
    }

    /// <summary>
    /// "x = ANY (list)" becomes "x IN (list)" when <paramref name="output"/> ends with the '='. Right for a
    /// subquery; for an array value it compares with the array's text, which the empty catalogs never hold.
    /// </summary>
    private static bool TryRewriteAny(StringBuilder output)
    {
        var end = output.Length;
        while (end > 0 && output[end - 1] == ' ')
        {
            end--;
        }
        if (end == 0 || output[end - 1] != '=' || (end > 1 && output[end - 2] is '<' or '>' or '!'))
        {
            return false;
        }
        end--;
        while (end > 0 && output[end - 1] == ' ')
        {
            end--;
        }
        output.Length = end;
        output.Append(" IN");
        return true;
    }

    private static int SkipSpaces(string sql, int i)
    {
        while (i < sql.Length && char.IsWhiteSpace(sql[i]))
        {
            i++;
        }
        return i;
    }
}
