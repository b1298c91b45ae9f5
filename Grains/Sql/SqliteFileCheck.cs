using Microsoft.Data.Sqlite;

namespace IceFire.Grains.Sql;

/// <summary>
/// Checks a tenant's SQLite file without writing to it: <c>PRAGMA quick_check</c> (O(N), every page and every record's
/// shape, no index-to-table cross-check) or <c>PRAGMA integrity_check</c> (indexes too). A file without a write-ahead
/// log is opened as an immutable URI (<c>immutable=1</c>), so SQLite creates no <c>-wal</c> or <c>-shm</c> beside it;
/// one with a log is opened read-only, which reads the log, or, when nothing may be written at all
/// (an offline check), copied with its log to a temporary directory and checked there.
/// </summary>
public static class SqliteFileCheck
{
    /// <summary>Most problems reported per file.</summary>
    private const int MaxProblems = 20;

    /// <summary>What is wrong with the SQLite database in <paramref name="path"/>; empty when it passes.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="full"><c>integrity_check</c> rather than <c>quick_check</c>.</param>
    /// <param name="offline">Write nothing beside the file either: a log is checked on a temporary copy.</param>
    public static IReadOnlyList<string> Check(string path, bool full = false, bool offline = false)
    {
        var wal = path + "-wal";
        if (!File.Exists(wal) || new FileInfo(wal).Length == 0)
        {
            return Run($"{new Uri(Path.GetFullPath(path)).AbsoluteUri}?immutable=1", SqliteOpenMode.ReadOnly, full);
        }
        if (!offline)
        {
            return Run(path, SqliteOpenMode.ReadOnly, full);
        }
        var copy = Directory.CreateTempSubdirectory("icefire-check-");
        try
        {
            var file = Path.Combine(copy.FullName, Path.GetFileName(path));
            File.Copy(path, file);
            File.Copy(wal, file + "-wal");
            return Run(file, SqliteOpenMode.ReadWrite, full);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static List<string> Run(string dataSource, SqliteOpenMode mode, bool full)
    {
        var problems = new List<string>();
        var builder = new SqliteConnectionStringBuilder { DataSource = dataSource, Mode = mode, Pooling = false };
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
