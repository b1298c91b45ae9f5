using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// The connection a replica applies its tenant's SQL entries through: WAL, synchronous=FULL (an applied unit is on
/// disk before the log may be compacted past it), and a <see cref="SqlReplicaApplier"/> keeping the applied index in
/// the same file. Used by the thread that applies the tenant's log.
/// </summary>
public sealed class SqlReplicaFile : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqlReplicaApplier _applier;

    private SqlReplicaFile(SqliteConnection connection)
    {
        _connection = connection;
        _applier = new SqlReplicaApplier(connection);
    }

    /// <summary>Opens (creating) the database at <paramref name="path"/>.</summary>
    public static SqlReplicaFile Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString());
        try
        {
            connection.Open();
            var db = connection.Handle!;
            // A deposed leader's session may hold the write lock for the moment it takes to roll back.
            raw.sqlite3_busy_timeout(db, 30_000);
            Exec(db, "PRAGMA journal_mode=WAL");
            Exec(db, "PRAGMA synchronous=FULL");
            return new SqlReplicaFile(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The log index of the last unit applied to the file.</summary>
    public long AppliedIndex => _applier.AppliedIndex;

    /// <summary>Applies the unit of log entry <paramref name="index"/>; false when the file already holds it.</summary>
    /// <exception cref="SqlReplicaDivergenceException">The replica's tables differ from the leader's.</exception>
    public bool Apply(long index, SqlWriteUnit unit) => _applier.TryApply(index, unit);

    /// <summary>Writes a compacted, consistent copy of the database to <paramref name="path"/> (VACUUM INTO).</summary>
    public void CopyTo(string path)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "VACUUM INTO $path";
        command.Parameters.AddWithValue("$path", path);
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    private static void Exec(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_exec(db, sql, out var error);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"{sql}: {error}", rc);
        }
    }
}
