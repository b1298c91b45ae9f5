using System.Globalization;
using System.Text;
using IceFire.Grains.Sql;
using Microsoft.Data.Sqlite;

namespace IceFire.Grains.Tests.Sql;

/// <summary>SQLite database files in a temporary directory, deleted with it; helpers to write, apply and compare.</summary>
public sealed class SqlTestDatabases : IDisposable
{
    private readonly List<SqliteConnection> _connections = [];

    public SqlTestDatabases()
    {
        Directory = Path.Combine(Path.GetTempPath(), "icefire-sql-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name + ".db");

    /// <summary>Opens (creating) the database <paramref name="name"/>; pooling off so closing releases the file.</summary>
    public SqliteConnection Open(string name)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = PathOf(name),
            Pooling = false,
        }.ToString());
        connection.Open();
        _connections.Add(connection);
        return connection;
    }

    /// <summary>Runs <paramref name="statements"/> as one captured transaction on the leader, commits, returns the unit.</summary>
    public static SqlWriteUnit Write(SqliteConnection leader, params string[] statements)
    {
        using var capture = SqlWriteCapture.Begin(leader);
        foreach (var sql in statements)
        {
            capture.Execute(sql);
        }
        return capture.Commit();
    }

    public static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Copies the database with VACUUM INTO (a compacted, freshly laid out file) and returns its bytes.</summary>
    public byte[] VacuumedBytes(SqliteConnection connection, string copyName)
    {
        var path = PathOf(copyName);
        Exec(connection, $"VACUUM INTO '{path}'");
        return File.ReadAllBytes(path);
    }

    /// <summary>The database file's bytes as they are on disk now (rollback journal mode: whole after each commit).</summary>
    public byte[] FileBytes(string name)
    {
        using var stream = new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>
    /// The logical contents: sqlite_schema (without root pages), then every table's rows with their rowids, in order,
    /// each value with its storage class. Tables named in <paramref name="except"/> are left out.
    /// </summary>
    public static string Dump(SqliteConnection connection, params string[] except)
    {
        var text = new StringBuilder();
        var tables = new List<(string Name, bool WithoutRowid)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (Array.IndexOf(except, reader.GetString(2)) >= 0)
                {
                    continue;
                }
                text.Append(CultureInfo.InvariantCulture, $"schema {reader.GetString(0)} {reader.GetString(1)} ")
                    .Append(reader.IsDBNull(3) ? "<auto>" : reader.GetString(3)).Append('\n');
            }
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' ORDER BY name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (Array.IndexOf(except, reader.GetString(0)) < 0 && reader.GetString(0) != "sqlite_schema")
                {
                    tables.Add((reader.GetString(0), reader.GetInt64(1) != 0));
                }
            }
        }
        foreach (var (name, withoutRowid) in tables)
        {
            using var command = connection.CreateCommand();
            var quoted = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            command.CommandText = withoutRowid ? $"SELECT * FROM {quoted}" : $"SELECT rowid, * FROM {quoted} ORDER BY rowid";
            using var reader = command.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row.Append(Value(reader, i)).Append(" | ");
                }
                rows.Add(row.ToString());
            }
            if (withoutRowid)
            {
                rows.Sort(StringComparer.Ordinal);
            }
            text.Append(CultureInfo.InvariantCulture, $"table {name}: {rows.Count} rows\n");
            foreach (var row in rows)
            {
                text.Append(row).Append('\n');
            }
        }
        return text.ToString();
    }

    private static string Value(SqliteDataReader reader, int i)
    {
        if (reader.IsDBNull(i))
        {
            return "null";
        }
        return reader.GetFieldType(i) switch
        {
            var t when t == typeof(long) => "i:" + reader.GetInt64(i).ToString(CultureInfo.InvariantCulture),
            var t when t == typeof(double) => "r:" + reader.GetDouble(i).ToString("R", CultureInfo.InvariantCulture),
            var t when t == typeof(byte[]) => "b:" + Convert.ToHexString((byte[])reader.GetValue(i)),
            _ => "t:" + reader.GetString(i),
        };
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
