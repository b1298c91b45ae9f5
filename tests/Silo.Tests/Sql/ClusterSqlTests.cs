using Npgsql;
using NpgsqlTypes;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Sql;

/// <summary>
/// SQL through every silo of a three-silo cluster: writes sent to a follower run on the leader and are read back
/// through each silo, and every replica's file ends up holding the same bytes, even for random() and datetime('now').
/// </summary>
[Collection(ClusterSqlCollection.Name)]
public sealed class ClusterSqlTests(ClusterSqlFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterSqlFixture>
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);

    private sealed record TypedRow(long Id, double? D, string? T, byte[]? B, bool? F);

    private static readonly TypedRow[] TypedRows =
    [
        new(1, Math.PI, "héllo wörld ☃", [0, 1, 2, 255], true),
        new(long.MinValue, -1.5e-300, "", [], false),
        new(long.MaxValue, double.MaxValue, "it's a \\ back'slash\nand a newline", Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray(), true),
        new(42, null, null, null, null),
    ];

    private async Task<(int Leader, int[] Followers)> RolesAsync()
    {
        var leader = await ClusterSql.SettledLeaderAsync(fixture.Cluster);
        return (leader, Enumerable.Range(1, 3).Where(n => n != leader).ToArray());
    }

    private async Task Run(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch
        {
            output.WriteLine(fixture.Cluster.Logs());
            throw;
        }
    }

    [Fact]
    public Task A_write_through_a_follower_is_read_through_every_silo() => Run(async () =>
    {
        var cluster = fixture.Cluster;
        var (_, followers) = await RolesAsync();
        await using (var c = await ClusterSql.OpenAsync(cluster, followers[0]))
        {
            await ClusterSql.ExecAsync(c, "CREATE TABLE typed_rows(id BIGINT PRIMARY KEY, d DOUBLE PRECISION, t TEXT, b BYTEA, f BOOLEAN)");
            await using var insert = new NpgsqlCommand("INSERT INTO typed_rows(id, d, t, b, f) VALUES ($1, $2, $3, $4, $5)", c);
            foreach (var row in TypedRows)
            {
                insert.Parameters.Clear();
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Id });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)row.D ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)row.T ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)row.B ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)row.F ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Boolean });
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }
        }

        var expected = TypedRows.OrderBy(r => r.Id).ToList();
        for (var node = 1; node <= 3; node++)
        {
            await using var c = await ClusterSql.OpenAsync(cluster, node);
            await using var select = new NpgsqlCommand("SELECT id, d, t, b, f FROM typed_rows ORDER BY id", c);
            await using var reader = await select.ExecuteReaderAsync();
            foreach (var row in expected)
            {
                Assert.True(await reader.ReadAsync(), $"node {node} returned fewer rows than the {expected.Count} written");
                Assert.Equal(row.Id, reader.GetFieldValue<long>(0));
                Assert.Equal(row.D, reader.IsDBNull(1) ? null : reader.GetFieldValue<double>(1));
                Assert.Equal(row.T, reader.IsDBNull(2) ? null : reader.GetFieldValue<string>(2));
                Assert.Equal(row.B, reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3));
                Assert.Equal(row.F, reader.IsDBNull(4) ? null : reader.GetFieldValue<bool>(4));
            }
            Assert.False(await reader.ReadAsync(), $"node {node} returned more rows than the {expected.Count} written");
        }
    });

    [Fact]
    public Task A_batch_and_a_transaction_through_a_follower_are_read_through_every_silo() => Run(async () =>
    {
        var cluster = fixture.Cluster;
        var (_, followers) = await RolesAsync();
        await using (var c = await ClusterSql.OpenAsync(cluster, followers[1]))
        {
            await ClusterSql.ExecAsync(c, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance BIGINT NOT NULL)");
            await using (var batch = new NpgsqlBatch(c)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("INSERT INTO accounts VALUES ($1, $2, $3), (2, 'bob', 50), (3, 'cyd', 10)")
                    {
                        Parameters = { new NpgsqlParameter<long> { TypedValue = 1 }, new NpgsqlParameter<string> { TypedValue = "ada" }, new NpgsqlParameter<long> { TypedValue = 100 } },
                    },
                    new NpgsqlBatchCommand("UPDATE accounts SET balance = balance + 5 WHERE id = 2"),
                    new NpgsqlBatchCommand("DELETE FROM accounts WHERE id = 3"),
                    new NpgsqlBatchCommand("SELECT sum(balance), count(*) FROM accounts"),
                },
            })
            {
                await using (var reader = await batch.ExecuteReaderAsync())
                {
                    Assert.True(await reader.ReadAsync());
                    Assert.Equal(155L, reader.GetInt64(0));
                    Assert.Equal(2L, reader.GetInt64(1));
                }
                Assert.Equal(3, batch.BatchCommands[0].RecordsAffected);
                Assert.Equal(1, batch.BatchCommands[1].RecordsAffected);
                Assert.Equal(1, batch.BatchCommands[2].RecordsAffected);
            }

            await using (var tx = await c.BeginTransactionAsync())
            {
                Assert.Equal(1, await ClusterSql.ExecAsync(c, "UPDATE accounts SET balance = balance - 30 WHERE id = 1"));
                Assert.Equal(1, await ClusterSql.ExecAsync(c, "UPDATE accounts SET balance = balance + 30 WHERE id = 2"));
                Assert.Equal(1, await ClusterSql.ExecAsync(c, "INSERT INTO accounts VALUES (4, 'dan', 0)"));
                // The transaction reads its own writes before they commit.
                Assert.Equal(["1|ada|70", "2|bob|85", "4|dan|0"], await ClusterSql.RowsAsync(c, "SELECT id, owner, balance FROM accounts ORDER BY id"));
                await tx.CommitAsync();
            }
            await using (var tx = await c.BeginTransactionAsync())
            {
                await ClusterSql.ExecAsync(c, "INSERT INTO accounts VALUES (5, 'eve', 1000)");
                await ClusterSql.ExecAsync(c, "UPDATE accounts SET balance = 0");
                await tx.RollbackAsync();
            }
        }

        for (var node = 1; node <= 3; node++)
        {
            await using var c = await ClusterSql.OpenAsync(cluster, node);
            Assert.Equal(["1|ada|70", "2|bob|85", "4|dan|0"], await ClusterSql.RowsAsync(c, "SELECT id, owner, balance FROM accounts ORDER BY id"));
        }
    });

    [Fact]
    public Task A_savepoint_through_a_follower_keeps_what_ran_before_it_when_a_later_statement_fails() => Run(async () =>
    {
        var cluster = fixture.Cluster;
        var (leader, followers) = await RolesAsync();
        await using (var c = await ClusterSql.OpenAsync(cluster, followers[0]))
        await using (var other = await ClusterSql.OpenAsync(cluster, leader))
        {
            await SqlSavepoints.RecoverFromAnErrorAsync(c, other, "savepoint_ids");
        }
        for (var node = 1; node <= 3; node++)
        {
            await using var c = await ClusterSql.OpenAsync(cluster, node);
            Assert.Equal(["60", "61", "70", "73"], await ClusterSql.RowsAsync(c, "SELECT id FROM savepoint_ids WHERE id < 1000 ORDER BY id"));
        }
    });

    [Fact]
    public Task A_runaway_query_through_a_follower_stops_at_its_timeout_and_when_its_client_is_killed() => Run(async () =>
    {
        var cluster = fixture.Cluster;
        var (leader, followers) = await RolesAsync();
        await using (var c = await ClusterSql.OpenAsync(cluster, followers[0], commandTimeout: 60))
        {
            await ClusterSql.ExecAsync(c, "SET statement_timeout = '500ms'");
            var e = await Assert.ThrowsAsync<PostgresException>(() => ClusterSql.ExecAsync(c, SqlLimitsTests.Runaway));
            Assert.Equal("57014", e.SqlState);
            Assert.Equal("canceling statement due to statement timeout", e.MessageText);
            Assert.Equal(["1"], await ClusterSql.RowsAsync(c, "SELECT 1"));
        }
        // The statement runs on the leader; the client's silo stops it there once the client is gone.
        using var psql = SqlLimitsTests.StartPsql(cluster.Silo(followers[1]).SqlPort, "default", null, SqlLimitsTests.Runaway);
        await SiloCpu.WaitBusyAsync(cluster.Silo(leader).ProcessId, "the runaway query to keep a core of the leader busy");
        psql.Kill();
        await psql.WaitForExitAsync();
        await SiloCpu.WaitIdleAsync(cluster.Silo(leader).ProcessId, "the leader to stop the query of a client that is gone");
    });

    [Fact]
    public Task Random_and_now_leave_byte_identical_replicas() => Run(async () =>
    {
        var cluster = fixture.Cluster;
        var (_, followers) = await RolesAsync();
        List<string> rows;
        await using (var c = await ClusterSql.OpenAsync(cluster, followers[0]))
        {
            await ClusterSql.ExecAsync(c, "CREATE TABLE noisy(id INTEGER PRIMARY KEY, r INTEGER, at TEXT, bytes BLOB, f REAL)");
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(3, await ClusterSql.ExecAsync(c,
                    "INSERT INTO noisy(r, at, bytes, f) VALUES (random(), datetime('now'), randomblob(8), random() / 3.0), " +
                    "(random(), datetime('now'), randomblob(8), random() / 3.0), (random(), datetime('now'), randomblob(8), random() / 3.0)"));
            }
            Assert.Equal(12, await ClusterSql.ExecAsync(c, "INSERT INTO noisy(r, at, bytes, f) SELECT random(), datetime('now', '+1 day'), randomblob(16), random() / 7.0 FROM noisy"));
            Assert.Equal(12, await ClusterSql.ExecAsync(c, "UPDATE noisy SET r = random(), bytes = randomblob(4) WHERE id % 2 = 0"));
            await using (var tx = await c.BeginTransactionAsync())
            {
                await ClusterSql.ExecAsync(c, "UPDATE noisy SET f = random() WHERE id % 3 = 0");
                await ClusterSql.ExecAsync(c, "INSERT INTO noisy(r, at, bytes, f) VALUES (random(), datetime('now'), randomblob(32), NULL)");
                await tx.CommitAsync();
            }
            rows = await ClusterSql.RowsAsync(c, "SELECT quote(id) || '|' || quote(r) || '|' || quote(at) || '|' || quote(bytes) || '|' || quote(f) FROM noisy ORDER BY rowid");
        }
        Assert.Equal(25, rows.Count);
        Assert.True(rows.Select(r => r.Split('|')[1]).Distinct().Count() > 20, $"random() gave few distinct values:\n{string.Join('\n', rows)}");

        // Each replica's own file: the same schema and the same bytes as the leader answered, once it has applied them.
        var dump = await ClusterSql.WaitFilesEqualAsync(cluster, [1, 2, 3], d => ClusterSql.RowsOf(d, "noisy").SequenceEqual(rows),
            "the three replicas' files to hold the rows the leader answered", Converge);
        Assert.Contains("table noisy: CREATE TABLE noisy", dump, StringComparison.Ordinal);
    });

    [Fact]
    public Task Psql_through_a_follower_creates_inserts_selects_and_lists() => Run(async () =>
    {
        var cluster = fixture.Cluster;
        var (leader, followers) = await RolesAsync();
        var (exit, text) = await ClusterSql.PsqlAsync(cluster, followers[0], "-At",
            "-c", "CREATE TABLE psql_items(id INTEGER PRIMARY KEY, label TEXT NOT NULL)",
            "-c", "INSERT INTO psql_items VALUES (1, 'one'), (2, 'two')",
            "-c", "SELECT id || ':' || label FROM psql_items ORDER BY id");
        Assert.True(exit == 0, text);
        Assert.Equal(["CREATE TABLE", "INSERT 0 2", "1:one", "2:two"], text.Trim().Split('\n'));

        (exit, text) = await ClusterSql.PsqlAsync(cluster, followers[1], "-c", "\\dt");
        Assert.True(exit == 0, text);
        Assert.Matches(@"public\s*\|\s*psql_items\s*\|\s*table", text);
        Assert.DoesNotContain("_icefire", text, StringComparison.Ordinal);

        (exit, text) = await ClusterSql.PsqlAsync(cluster, leader, "-At", "-c", "SELECT count(*) FROM psql_items");
        Assert.True(exit == 0, text);
        Assert.Equal("2", text.Trim());
    });
}
