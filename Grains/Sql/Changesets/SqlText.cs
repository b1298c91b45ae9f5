namespace IceFire.Grains.Sql;

/// <summary>Lexical helpers shared by the statement classifiers: SQLite's white space and comments.</summary>
internal static class SqlText
{
    /// <summary>The index of the first character at or after <paramref name="i"/> that is not white space or inside a comment.</summary>
    public static int SkipSpaceAndComments(ReadOnlySpan<char> sql, int i)
    {
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
        return i;
    }

    /// <summary>True when <paramref name="word"/> is <paramref name="keyword"/>, case-blind as SQLite's keywords are.</summary>
    public static bool Is(ReadOnlySpan<char> word, string keyword) => word.Equals(keyword, StringComparison.OrdinalIgnoreCase);
}
