namespace IceFire.Grains.Sql;

/// <summary>The command name a statement's completion tag starts with, read from its first keywords.</summary>
internal static class CommandVerbs
{
    /// <summary>SELECT, INSERT, UPDATE, DELETE, CREATE TABLE, DROP INDEX, BEGIN, COMMIT, ROLLBACK, ... as PostgreSQL tags them.</summary>
    public static string Of(string sql, bool readOnly)
    {
        var words = FirstWords(sql, 4);
        if (words.Count == 0)
        {
            return "";
        }
        var first = words[0];
        switch (first)
        {
            case "SELECT" or "VALUES" or "TABLE":
                return "SELECT";
            case "WITH":
                return readOnly ? "SELECT" : FindDml(sql);
            case "INSERT" or "REPLACE":
                return "INSERT";
            case "BEGIN" or "START":
                return "BEGIN";
            case "END" or "COMMIT":
                return "COMMIT";
            case "ROLLBACK" or "ABORT":
                return words.Count > 1 && words[1] is "TO" ? "ROLLBACK" : "ROLLBACK";
            case "CREATE" or "DROP" or "ALTER":
                var i = 1;
                while (i < words.Count && words[i] is "TEMP" or "TEMPORARY" or "UNIQUE" or "VIRTUAL")
                {
                    i++;
                }
                return i < words.Count ? $"{first} {words[i]}" : first;
            default:
                return first;
        }
    }

    private static string FindDml(string sql)
    {
        var upper = sql.ToUpperInvariant();
        var best = (Index: int.MaxValue, Verb: "SELECT");
        foreach (var verb in (ReadOnlySpan<string>)["INSERT", "UPDATE", "DELETE"])
        {
            var at = upper.LastIndexOf(verb, StringComparison.Ordinal);
            if (at >= 0 && at < best.Index)
            {
                best = (at, verb);
            }
        }
        return best.Verb;
    }

    private static List<string> FirstWords(string sql, int count)
    {
        var words = new List<string>(count);
        var i = 0;
        while (i < sql.Length && words.Count < count)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c) || c == '(' || c == ';')
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_'))
                {
                    i++;
                }
                words.Add(sql[start..i].ToUpperInvariant());
            }
            else
            {
                break;
            }
        }
        return words;
    }
}
