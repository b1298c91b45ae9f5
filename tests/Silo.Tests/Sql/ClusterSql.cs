using System.Diagnostics;
using System.Globalization;
using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>
/// SQL against a cluster of real silos: connections to any silo's SQL port, and each replica's SQLite file read
/// directly (read-only, while its silo runs) to compare what the replicas hold.
/// </summary>
internal static class ClusterSql
{
    /// <summary>The SQLSTATEs a statement may answer when the tenant's leader was lost under it (40001, 08007, 57P03).</summary>
    public static readonly string[] LeaderLostStates = ["40001", "08007", "57P03"];

    /// <summary>
    /// A connection to node <paramref name="node"/>'s SQL port as the default tenant, which needs no password in these
    /// clusters (no --requirepass). Not pooled: a pooled connection to a killed silo would fail the next test.
    /// </summary>
    public static string ConnectionString(LocalCluster cluster, int node, int commandTimeout = 30) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = cluster.Silo(node).SqlPort,
            Username = "default",
            Database = "default",
            Pooling = false,
            Timeout = 15,
            CommandTimeout = commandTimeout,
        }.ConnectionString;

    public static async Task<NpgsqlConnection> OpenAsync(LocalCluster cluster, int node, int commandTimeout = 30)
    {
        var connection = new NpgsqlConnection(ConnectionString(cluster, node, commandTimeout));
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<int> ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Each row of <paramref name="sql"/> as its columns' text joined by '|', NULL as "NULL".</summary>
    public static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
            }
            rows.Add(string.Join('|', fields));
        }
        return rows;
    }

    /// <summary>
    /// The default tenant's leader once it is the replica its placement ranks first. Until then the cluster may hand
    /// leadership over at any moment (it moves it to that replica once it is up and caught up), rolling back whatever
    /// transaction is open; so a test that picks "the leader" or "a follower" waits for this first.
    /// </summary>
    public static async Task<int> SettledLeaderAsync(LocalCluster cluster, TimeSpan? timeout = null)
    {
        var leader = 0;
        await LocalCluster.WaitAsync(async () =>
        {
            if (await cluster.TenantViewAsync("default") is not { } view || !view.TryGetProperty("leader", out var l) || l.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                return false;
            }
            var first = view.GetProperty("replicas")[0].GetString();
            leader = int.Parse(l.GetString()!, CultureInfo.InvariantCulture);
            return l.GetString() == first && cluster.IsRunning(leader);
        }, "the default tenant's first-ranked replica to lead it", timeout ?? TimeSpan.FromSeconds(30));
        return leader;
    }

    /// <summary>The SQLite database of node <paramref name="node"/>'s replica of the default tenant.</summary>
    public static string TablesFile(LocalCluster cluster, int node) =>
        Path.Combine(cluster.DataOf(node), "tenants", "default.g100", "tables.sqlite");

    /// <summary>
    /// Everything a client can see in a replica's file, read without disturbing its silo: the schema of every table and
    /// index but the server's own, then each table's rows in rowid order, every value through quote() so types and
    /// blob bytes count. Empty when the file does not exist yet.
    /// </summary>
    public static string DumpFile(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }
        var text = new StringBuilder();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var transaction = connection.BeginTransaction();
        var tables = new List<string>();
        using (var schema = connection.CreateCommand())
        {
            schema.CommandText = "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE '\\_icefire\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
            using var reader = schema.ExecuteReader();
            while (reader.Read())
            {
                text.Append(reader.GetString(0)).Append(' ').Append(reader.GetString(1)).Append(": ").Append(reader.IsDBNull(2) ? "" : reader.GetString(2)).Append('\n');
                if (reader.GetString(0) == "table")
                {
                    tables.Add(reader.GetString(1));
                }
            }
        }
        foreach (var table in tables)
        {
            var columns = new List<string>();
            using (var info = connection.CreateCommand())
            {
                info.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
                using var reader = info.ExecuteReader();
                while (reader.Read())
                {
                    columns.Add($"quote(\"{reader.GetString(0)}\")");
                }
            }
            using var rows = connection.CreateCommand();
            rows.CommandText = $"SELECT {string.Join(" || '|' || ", columns)} FROM \"{table}\" ORDER BY rowid";
            using var cursor = rows.ExecuteReader();
            text.Append("rows of ").Append(table).Append('\n');
            while (cursor.Read())
            {
                text.Append(cursor.GetString(0)).Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>The index of the last SQL unit the replica's file holds (0 before the first).</summary>
    public static long AppliedIndex(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(applied_index), 0) FROM _icefire_applied";
        try
        {
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            // The table comes with the first unit applied.
            return 0;
        }
    }

    /// <summary>
    /// Waits until the files of <paramref name="nodes"/> dump alike and the dump satisfies <paramref name="expected"/>;
    /// returns that dump. A replica still applying (or a file just replaced by a snapshot) is read again.
    /// </summary>
    public static async Task<string> WaitFilesEqualAsync(LocalCluster cluster, int[] nodes, Func<string, bool> expected, string what, TimeSpan timeout)
    {
        var dumps = new string[nodes.Length];
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                for (var i = 0; i < nodes.Length; i++)
                {
                    dumps[i] = DumpFile(TablesFile(cluster, nodes[i]));
                }
                if (dumps.All(d => d == dumps[0]) && expected(dumps[0]))
                {
                    return dumps[0];
                }
                last = null;
            }
            catch (SqliteException e)
            {
                last = e;
            }
            if (DateTime.UtcNow > deadline)
            {
                var detail = string.Join("\n", nodes.Select((n, i) => $"--- node {n} (applied {SafeAppliedIndex(TablesFile(cluster, n))}):\n{Shorten(dumps[i])}"));
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}{(last is null ? "" : $" (last error: {last.Message})")}\n{detail}");
            }
            await Task.Delay(100); // the polling step of this wait
        }
    }

    private static string SafeAppliedIndex(string path)
    {
        try
        {
            return AppliedIndex(path).ToString(CultureInfo.InvariantCulture);
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    private static string Shorten(string? dump) => dump is null ? "(not read)" : dump.Length <= 4000 ? dump : dump[..4000] + "...";

    /// <summary>The rows of a dump's table section (the lines after "rows of TABLE" up to the next section).</summary>
    public static List<string> RowsOf(string dump, string table)
    {
        var rows = new List<string>();
        var inside = false;
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("rows of ", StringComparison.Ordinal))
            {
                inside = line == "rows of " + table;
            }
            else if (inside)
            {
                rows.Add(line);
            }
        }
        return rows;
    }

    /// <summary>
    /// Runs <paramref name="action"/> and says how it ended: null on success, else the SQLSTATE of its error, and how
    /// long it took. Fails the test when it does not answer within <paramref name="bound"/> or fails other than with
    /// an error reply (a broken connection or a client timeout).
    /// </summary>
    public static async Task<(string? SqlState, TimeSpan Took)> OutcomeAsync(Func<Task> action, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await action().WithinAsync(bound, "the statement answers");
            return (null, clock.Elapsed);
        }
        catch (PostgresException e)
        {
            return (e.SqlState, clock.Elapsed);
        }
    }

    /// <summary>psql -X against node <paramref name="node"/>'s SQL port as the default tenant, ON_ERROR_STOP; exit code and output.</summary>
    public static async Task<(int Exit, string Output)> PsqlAsync(LocalCluster cluster, int node, params string[] args)
    {
        var info = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-X", "-h", "127.0.0.1", "-p", cluster.Silo(node).SqlPort.ToString(CultureInfo.InvariantCulture), "-U", "default", "-w", "-v", "ON_ERROR_STOP=1", .. args])
        {
            info.ArgumentList.Add(arg);
        }
        // No --requirepass: the default tenant is let in without a password; -w makes psql fail rather than prompt.
        info.Environment["PGCONNECT_TIMEOUT"] = "10";
        info.Environment.Remove("PGPASSWORD");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
