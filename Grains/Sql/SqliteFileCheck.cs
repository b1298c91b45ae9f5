using Microsoft.Data.Sqlite;

namespace IceFire.Grains.Sql;

/// <summary>
/// Checks a tenant's SQLite file without writing to it: opened read-only (<c>Mode=ReadOnly</c>), then
/// <c>PRAGMA quick_check</c> (O(N), every page and every record's shape, no index-to-table cross-check) or
/// <c>PRAGMA integrity_check</c> (indexes too).
/// </summary>
public static class SqliteFileCheck
{
    /// <summary>Most problems reported per file; SQLite stops its own list there too.</summary>
    private const int MaxProblems = 20;

    /// <summary>What is wrong with the SQLite database in <paramref name="path"/>; empty when it passes.</summary>
    public static IReadOnlyList<string> Check(string path, bool full = false)
    {
        var problems = new List<string>();
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        try
        {
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = full ? $"PRAGMA integrity_check({MaxProblems})" : $"PRAGMA quick_check({MaxProblems})";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var line = reader.GetString(0);
                if (line != "ok")
                {
                    problems.Add(line);
                }
            }
        }
        catch (SqliteException e)
        {
            problems.Add(e.Message);
        }
        return problems;
    }
}
