using System.Diagnostics;
using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Sql;

/// <summary>A replica that missed more than a snapshot's worth of SQL writes catches up from a snapshot carrying the tables.</summary>
[Collection(ClusterSqlCollection.Name)]
public sealed class ClusterSqlSnapshotTests(ITestOutputHelper output)
{
    private static readonly string[] Options = ["--snapshot-every", "50"];

    /// <summary>The file's inode: a snapshot's database is written beside the old file and renamed over it.</summary>
    private static async Task<string> InodeAsync(string path)
    {
        var info = new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"stat {path} failed");
        return text.Trim();
    }

    [Fact]
    public async Task A_restarted_replica_catches_up_from_a_snapshot_that_carries_the_tables()
    {
        await using var cluster = await LocalCluster.StartAsync(3, Options);
        try
        {
            var leader = await ClusterSql.SettledLeaderAsync(cluster);
            var followers = Enumerable.Range(1, 3).Where(n => n != leader).ToArray();
            var (stopped, writer) = (followers[0], followers[1]);
            await using (var c = await ClusterSql.OpenAsync(cluster, writer))
            {
                await ClusterSql.ExecAsync(c, "CREATE TABLE snap_rows(id INTEGER PRIMARY KEY, v TEXT NOT NULL, r INTEGER)");
                await ClusterSql.ExecAsync(c, "INSERT INTO snap_rows VALUES (1, 'before', random())");
            }
            await ClusterSql.WaitFilesEqualAsync(cluster, [1, 2, 3], d => ClusterSql.RowsOf(d, "snap_rows").Count == 1,
                "the first row on every replica", TimeSpan.FromSeconds(20));
            var inode = await InodeAsync(ClusterSql.TablesFile(cluster, stopped));

            // Graceful stop (SIGTERM): the replica's file is closed cleanly, then left behind by four snapshots.
            cluster.Silo(stopped).Terminate();
            await cluster.Silo(stopped).WaitForExitAsync(TimeSpan.FromSeconds(30));
            await using (var c = await ClusterSql.OpenAsync(cluster, writer))
            {
                await using var insert = new NpgsqlCommand("INSERT INTO snap_rows(id, v, r) VALUES ($1, $2, random())", c);
                var id = new NpgsqlParameter<long>();
                var v = new NpgsqlParameter<string>();
                insert.Parameters.Add(id);
                insert.Parameters.Add(v);
                for (var i = 2; i <= 201; i++)
                {
                    id.TypedValue = i;
                    v.TypedValue = $"row {i}";
                    Assert.Equal(1, await insert.ExecuteNonQueryAsync());
                }
                await ClusterSql.ExecAsync(c, "ALTER TABLE snap_rows ADD COLUMN note TEXT DEFAULT 'none'");
                Assert.Equal(20, await ClusterSql.ExecAsync(c, "UPDATE snap_rows SET note = 'tenth ' || id WHERE id % 10 = 0"));
                await ClusterSql.ExecAsync(c, "CREATE INDEX snap_rows_note ON snap_rows(note)");
            }
            var others = new[] { leader, writer };
            var expected = await ClusterSql.WaitFilesEqualAsync(cluster, others, d => ClusterSql.RowsOf(d, "snap_rows").Count == 201 && d.Contains("note TEXT", StringComparison.Ordinal),
                "the writes on the two running replicas", TimeSpan.FromSeconds(20));

            await cluster.StartNodeAsync(stopped, Options);
            await cluster.WaitConvergedAsync("default", 3, TimeSpan.FromSeconds(30));
            var dump = await ClusterSql.WaitFilesEqualAsync(cluster, [leader, writer, stopped], d => d == expected,
                $"node {stopped}'s file, after its restart, to equal the others'", TimeSpan.FromSeconds(30));
            Assert.Contains("index snap_rows_note: CREATE INDEX snap_rows_note ON snap_rows(note)", dump, StringComparison.Ordinal);
            Assert.Contains("'tenth 200'", dump, StringComparison.Ordinal);
            Assert.NotEqual(inode, await InodeAsync(ClusterSql.TablesFile(cluster, stopped)));

            // The restored replica goes on applying entries after the snapshot.
            await using (var c = await ClusterSql.OpenAsync(cluster, stopped))
            {
                await ClusterSql.ExecAsync(c, "INSERT INTO snap_rows(id, v) VALUES (500, 'after the snapshot')");
            }
            await ClusterSql.WaitFilesEqualAsync(cluster, [1, 2, 3], d => ClusterSql.RowsOf(d, "snap_rows").Count == 202,
                "the write after the restart on every replica", TimeSpan.FromSeconds(20));
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
        }
    }
}
