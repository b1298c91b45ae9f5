using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>
/// Savepoint scenarios through Npgsql, shared by the single-silo and the cluster tests: what ran before a savepoint
/// is committed, whatever the transaction went through after it.
/// </summary>
internal static class SqlSavepoints
{
    private static async Task<string> FailsAsync(NpgsqlConnection c, string sql) =>
        (await Assert.ThrowsAsync<PostgresException>(() => ClusterSql.ExecAsync(c, sql))).SqlState;

    /// <summary>
    /// BEGIN; INSERT (60); SAVEPOINT s; INSERT (60) fails 23505; ROLLBACK TO s; INSERT (61); COMMIT: both rows stay.
    /// Meanwhile autocommit inserts of another connection, some failing, ride the group commit.
    /// </summary>
    public static async Task RecoverFromAnErrorAsync(NpgsqlConnection c, NpgsqlConnection other, string table)
    {
        await ClusterSql.ExecAsync(c, $"CREATE TABLE {table}(id INTEGER PRIMARY KEY)");
        await using (var tx = await c.BeginTransactionAsync())
        {
            await ClusterSql.ExecAsync(c, $"INSERT INTO {table} VALUES (60)");
            await tx.SaveAsync("s");
            Assert.Equal("23505", await FailsAsync(c, $"INSERT INTO {table} VALUES (60)"));
            Assert.Equal("25P02", await FailsAsync(c, "SELECT 1"));
            await tx.RollbackAsync("s");
            await ClusterSql.ExecAsync(c, $"INSERT INTO {table} VALUES (61)");
            await tx.CommitAsync();
        }
        Assert.Equal(["60", "61"], await ClusterSql.RowsAsync(c, $"SELECT id FROM {table} ORDER BY id"));

        // The same through one simple-query message per statement, as psql sends them, with an autocommit writer
        // whose failing inserts are rolled back to the batcher's own savepoints.
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await ClusterSql.ExecAsync(other, $"INSERT INTO {table} VALUES ({1000 + i})");
                await Assert.ThrowsAsync<PostgresException>(() => ClusterSql.ExecAsync(other, $"INSERT INTO {table} VALUES ({1000 + i})"));
            }
        });
        foreach (var (sql, failing) in (List<(string, bool)>)[
            ("BEGIN", false), ($"INSERT INTO {table} VALUES (70)", false), ("SAVEPOINT a", false),
            ($"INSERT INTO {table} VALUES (71)", false), ("SAVEPOINT b", false), ($"INSERT INTO {table} VALUES (70)", true),
            ("ROLLBACK TO b", false), ($"INSERT INTO {table} VALUES (72)", false), ("RELEASE b", false),
            ($"INSERT INTO {table} VALUES (71)", true), ("ROLLBACK TO SAVEPOINT a", false), ("ROLLBACK TO SAVEPOINT a", false),
            ($"INSERT INTO {table} VALUES (73)", false), ("COMMIT", false)])
        {
            if (failing)
            {
                Assert.Equal("23505", await FailsAsync(c, sql));
            }
            else
            {
                await ClusterSql.ExecAsync(c, sql);
            }
        }
        await writer;
        Assert.Equal(["60", "61", "70", "73"], await ClusterSql.RowsAsync(c, $"SELECT id FROM {table} WHERE id < 1000 ORDER BY id"));
        Assert.Equal(["20"], await ClusterSql.RowsAsync(c, $"SELECT count(*) FROM {table} WHERE id >= 1000"));
    }
}
