using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;
using IceFire.Grains.Tests.Tenants;
using Xunit;
using static IceFire.Grains.Tests.Replication.ReplicatedSqlTests;

namespace IceFire.Grains.Tests.Replication;

/// <summary>
/// Savepoints inside a transaction, on a tenant whose group has one replica (a single silo) and on one with three:
/// what ran before a savepoint survives a ROLLBACK TO it, and an error leaves the transaction failed until ROLLBACK
/// TO makes it usable.
/// </summary>
public sealed class SqlSavepointTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    /// <summary>Runs <paramref name="test"/> on a tenant as a single silo runs it: its replica alone in its group.</summary>
    private static async Task OnSingleSiloAsync(Func<ISqlSession, Task> test)
    {
        using var harness = new TenantHarness();
        await using var session = await harness.Grain.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        await test(session);
    }

    /// <summary>Runs <paramref name="test"/> on the leader of three replicas, then checks every replica holds <paramref name="tables"/> alike.</summary>
    private static async Task OnReplicasAsync(Func<ISqlSession, Task> test, params string[] tables)
    {
        await using var cluster = new TenantCluster(Three);
        var leader = await cluster.LeaderAsync();
        await using var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        await test(session);
        foreach (var table in tables)
        {
            await WaitIdenticalAsync(cluster, table);
        }
    }

    private static async Task<string> FailsAsync(ISqlSession session, string sql) =>
        (await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, sql))).Error.SqlState;

    /// <summary>The sequence: the row inserted before the savepoint is committed with the one after it.</summary>
    private static async Task RecoversFromAnErrorAsync(ISqlSession session)
    {
        await RunAsync(session, "CREATE TABLE ids(id INTEGER PRIMARY KEY)");
        await RunAsync(session, "BEGIN");
        await RunAsync(session, "INSERT INTO ids VALUES (60)");
        Assert.Equal("SAVEPOINT", await RunAsync(session, "SAVEPOINT s"));
        Assert.Equal(SqlStates.UniqueViolation, await FailsAsync(session, "INSERT INTO ids VALUES (60)"));
        Assert.Equal(SqlTransactionState.Failed, session.TransactionState);
        Assert.Equal(SqlStates.InFailedTransaction, await FailsAsync(session, "SELECT 1"));
        Assert.Equal(SqlStates.InFailedTransaction, await FailsAsync(session, "RELEASE s"));
        Assert.Equal("ROLLBACK", await RunAsync(session, "ROLLBACK TO s"));
        Assert.Equal(SqlTransactionState.InTransaction, session.TransactionState);
        await RunAsync(session, "INSERT INTO ids VALUES (61)");
        Assert.Equal("COMMIT", await RunAsync(session, "COMMIT"));
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);
        Assert.Equal("SELECT 60 61", await RunAsync(session, "SELECT id FROM ids ORDER BY id"));
    }

    [Fact]
    public Task Rollback_to_after_an_error_keeps_what_ran_before_the_savepoint_on_a_single_silo() => OnSingleSiloAsync(RecoversFromAnErrorAsync);

    [Fact]
    public Task Rollback_to_after_an_error_keeps_what_ran_before_the_savepoint_on_replicas() => OnReplicasAsync(RecoversFromAnErrorAsync, "ids");

    /// <summary>Nested savepoints, each spelling, ROLLBACK TO twice, RELEASE keeping changes.</summary>
    private static async Task NestsAsync(ISqlSession session)
    {
        await RunAsync(session, "CREATE TABLE n(id INTEGER PRIMARY KEY, v TEXT)");
        await RunAsync(session, "INSERT INTO n VALUES (100, 'before')");
        await RunAsync(session, "BEGIN");
        await RunAsync(session, "INSERT INTO n VALUES (1, 'kept')");
        await RunAsync(session, "UPDATE n SET v = 'changed' WHERE id = 100");
        await RunAsync(session, "SAVEPOINT a");
        await RunAsync(session, "INSERT INTO n VALUES (2, 'undone with a')");
        await RunAsync(session, "SAVEPOINT \"B\"");
        await RunAsync(session, "INSERT INTO n VALUES (3, 'undone with b')");
        await RunAsync(session, "DELETE FROM n WHERE id = 1");
        Assert.Equal("ROLLBACK", await RunAsync(session, "ROLLBACK TO SAVEPOINT b"));
        await RunAsync(session, "INSERT INTO n VALUES (4, 'undone with a')");
        Assert.Equal("RELEASE", await RunAsync(session, "RELEASE SAVEPOINT b"));
        Assert.Equal(SqlStates.InvalidSavepointSpecification, await FailsAsync(session, "ROLLBACK TO b"));
        Assert.Equal("ROLLBACK", await RunAsync(session, "ROLLBACK TO a"));
        Assert.Equal(SqlTransactionState.InTransaction, session.TransactionState);
        await RunAsync(session, "INSERT INTO n VALUES (5, 'undone with a, again')");
        await RunAsync(session, "ROLLBACK TRANSACTION TO SAVEPOINT a");
        await RunAsync(session, "INSERT INTO n VALUES (6, 'kept')");
        await RunAsync(session, "RELEASE a");
        await RunAsync(session, "SAVEPOINT c");
        await RunAsync(session, "INSERT INTO n VALUES (7, 'released')");
        await RunAsync(session, "RELEASE c");
        await RunAsync(session, "COMMIT");
        Assert.Equal("SELECT 1|kept 6|kept 7|released 100|changed", await RunAsync(session, "SELECT id, v FROM n ORDER BY id"));
    }

    [Fact]
    public Task Nested_savepoints_keep_and_undo_what_they_should_on_a_single_silo() => OnSingleSiloAsync(NestsAsync);

    [Fact]
    public Task Nested_savepoints_keep_and_undo_what_they_should_on_replicas() => OnReplicasAsync(NestsAsync, "n");

    /// <summary>Schema changes on either side of a savepoint: the ones rolled back do not reach a replica.</summary>
    private static async Task SchemaAsync(ISqlSession session)
    {
        await RunAsync(session, "BEGIN");
        await RunAsync(session, "CREATE TABLE kept(id INTEGER PRIMARY KEY)");
        await RunAsync(session, "INSERT INTO kept VALUES (1)");
        await RunAsync(session, "SAVEPOINT s");
        await RunAsync(session, "CREATE TABLE gone(id INTEGER PRIMARY KEY)");
        await RunAsync(session, "INSERT INTO gone VALUES (1)");
        await RunAsync(session, "INSERT INTO kept VALUES (2)");
        await RunAsync(session, "ALTER TABLE kept ADD COLUMN extra TEXT");
        await RunAsync(session, "ROLLBACK TO s");
        await RunAsync(session, "INSERT INTO kept VALUES (3)");
        await RunAsync(session, "COMMIT");
        Assert.Equal("SELECT 1 3", await RunAsync(session, "SELECT * FROM kept ORDER BY id"));
        Assert.Equal(SqlStates.UndefinedTable, await FailsAsync(session, "SELECT * FROM gone"));
    }

    [Fact]
    public Task Schema_changes_after_a_savepoint_roll_back_with_it_on_a_single_silo() => OnSingleSiloAsync(SchemaAsync);

    [Fact]
    public Task Schema_changes_after_a_savepoint_roll_back_with_it_on_replicas() => OnReplicasAsync(SchemaAsync, "kept", "sqlite_schema");

    private static async Task OutsideTransactionsAsync(ISqlSession session)
    {
        Assert.Equal(SqlStates.NoActiveTransaction, await FailsAsync(session, "SAVEPOINT s"));
        Assert.Equal(SqlStates.NoActiveTransaction, await FailsAsync(session, "RELEASE s"));
        Assert.Equal(SqlStates.NoActiveTransaction, await FailsAsync(session, "ROLLBACK TO s"));
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);
    }

    [Fact]
    public Task Savepoints_outside_a_transaction_are_refused_on_a_single_silo() => OnSingleSiloAsync(OutsideTransactionsAsync);

    [Fact]
    public Task Savepoints_outside_a_transaction_are_refused_on_replicas() => OnReplicasAsync(OutsideTransactionsAsync);

    [Theory]
    [InlineData("SAVEPOINT s", SqlSavepointKind.Savepoint, "s")]
    [InlineData("savepoint \"My Point\"", SqlSavepointKind.Savepoint, "My Point")]
    [InlineData("ROLLBACK TO s", SqlSavepointKind.RollbackTo, "s")]
    [InlineData("rollback\ntransaction to savepoint s1;", SqlSavepointKind.RollbackTo, "s1")]
    [InlineData("ROLLBACK TO SAVEPOINT", SqlSavepointKind.RollbackTo, "SAVEPOINT")]
    [InlineData("RELEASE s", SqlSavepointKind.Release, "s")]
    [InlineData("/* c */ RELEASE SAVEPOINT [x]", SqlSavepointKind.Release, "x")]
    [InlineData("ROLLBACK", SqlSavepointKind.None, "")]
    [InlineData("ROLLBACK TRANSACTION", SqlSavepointKind.None, "")]
    [InlineData("SELECT 1", SqlSavepointKind.None, "")]
    public void Savepoint_statements_are_read_with_their_names(string sql, SqlSavepointKind kind, string name)
    {
        var parsed = SqlSavepointStatement.Parse(sql);
        Assert.Equal(kind, parsed.Kind);
        Assert.Equal(name, parsed.Name ?? "");
    }
}
