using System.Text;

namespace IceFire.Silo.Tests.Sql.Differential;

/// <summary>
/// A testdata/*.sql file as its statements. A statement ends with the line whose last character is ';' (a
/// CREATE TRIGGER with its body ends at the line "END;"); lines starting with "--" are comments.
/// </summary>
internal static class SqlScript
{
    /// <summary>The folder the differential suite's files are copied to next to the tests.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Sql", "testdata");

    /// <summary>The names of the suite's files (without the folder), in order.</summary>
    public static IEnumerable<object[]> Files()
    {
        var names = Directory.GetFiles(Folder, "*.sql");
        Array.Sort(names, StringComparer.Ordinal);
        foreach (var name in names)
        {
            yield return [Path.GetFileName(name)];
        }
    }

    /// <summary>The statements of <paramref name="file"/> with their line numbers.</summary>
    public static List<(int Line, string Sql)> Read(string file)
    {
        var statements = new List<(int, string)>();
        var current = new StringBuilder();
        var start = 0;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(Path.Combine(Folder, file)))
        {
            lineNumber++;
            var trimmed = line.Trim();
            if (current.Length == 0 && (trimmed.Length == 0 || trimmed.StartsWith("--", StringComparison.Ordinal)))
            {
                continue;
            }
            if (current.Length == 0)
            {
                start = lineNumber;
            }
            current.Append(current.Length > 0 ? "\n" : "").Append(line);
            var trigger = current.ToString().TrimStart().StartsWith("CREATE TRIGGER", StringComparison.OrdinalIgnoreCase);
            var ends = trigger ? trimmed.Equals("END;", StringComparison.OrdinalIgnoreCase) : trimmed.EndsWith(';');
            if (ends)
            {
                statements.Add((start, current.ToString()));
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            statements.Add((start, current.ToString()));
        }
        return statements;
    }
}
