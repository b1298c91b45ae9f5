using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Tests.Support;
using IceFire.Grains.Tests.Support.Silos;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>
/// A client on one silo whose tenant is led by another: every statement runs on the leader's silo through SQL session
/// calls (Orleans grain calls between real silos). Each test has its own tenant.
/// </summary>
[Collection(ThreeSilos.Collection)]
public sealed class RoutedSqlSessionTests(ThreeSilos silos)
{
    private readonly SiloCluster _cluster = silos.Cluster;

    /// <summary>A new tenant, its leader, and a silo that holds a replica of it but does not lead it.</summary>
    private async Task<(string Tenant, ulong Leader, ulong Follower)> TenantAsync()
    {
        var tenant = await _cluster.CreateTenantAsync("shop");
        var replicas = _cluster.ReplicasOf(tenant);
        return (tenant, replicas[0], replicas[1]);
    }

    [Fact]
    public async Task Statements_run_on_the_leaders_silo_with_parameters_and_errors()
    {
        var (tenant, leader, follower) = await TenantAsync();
        await using var session = await _cluster.ConnectAsync(follower, tenant);
        Assert.Equal(leader, ((RoutedSqlSession)session).BackendNode);
        Assert.Null((await session.RunAsync("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT UNIQUE, price REAL, photo BLOB)")).Error);

        var insert = session.Prepare("INSERT INTO items(name, price, photo) VALUES (?1, ?2, ?3) RETURNING id");
        Assert.Null(insert.Error);
        using var statement = insert.Statement!;
        Assert.Equal(3, statement.ParameterCount);
        Assert.Equal("INSERT", statement.CommandVerb);
        Assert.False(statement.IsReadOnly);
        var first = await session.RunAsync(statement, SqlValue.FromText("tea ☕"), SqlValue.FromReal(2.5), SqlValue.FromBlob([0, 1, 255]));
        Assert.Null(first.Error);
        Assert.Equal("1", first.Scalar);
        Assert.Equal(1, first.Result.Changes);
        var second = await session.RunAsync(statement, SqlValue.FromText("coffee"), SqlValue.Null, SqlValue.Null);
        Assert.Equal("2", second.Scalar);

        var duplicate = await session.RunAsync(statement, SqlValue.FromText("coffee"), SqlValue.FromReal(1), SqlValue.Null);
        Assert.Equal(SqlStates.UniqueViolation, duplicate.Error?.SqlState);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);

        var select = await session.RunAsync("SELECT id, name, price, photo, ?1 AS big, ?2 AS small FROM items ORDER BY id",
            SqlValue.FromInteger(long.MaxValue), SqlValue.FromInteger(long.MinValue));
        Assert.Null(select.Error);
        Assert.Equal(2, select.Rows.Count);
        Assert.Equal(new string?[] { "1", "tea ☕", "2.5", "\0\u0001\uFFFD", long.MaxValue.ToString(), long.MinValue.ToString() }, select.Rows[0]);
        Assert.Equal(new string?[] { null, null }, select.Rows[1][2..4]);
        Assert.Equal("SELECT", select.Result.CommandVerb);
        Assert.Equal(2, select.Result.Rows);

        var bad = session.Prepare("SELECT * FROM nowhere");
        Assert.Equal(SqlStates.UndefinedTable, bad.Error?.SqlState);
    }

    [Fact]
    public async Task Prepare_reports_the_tail_and_the_shape_of_the_first_statement()
    {
        var (tenant, _, follower) = await TenantAsync();
        await using var session = await _cluster.ConnectAsync(follower, tenant);
        const string sql = "SELECT 1 AS one, 'x' AS two; SELECT 2";
        var prepared = session.Prepare(sql);
        using var statement = prepared.Statement!;
        Assert.Equal("SELECT 1 AS one, 'x' AS two;", statement.Sql);
        Assert.Equal(sql.IndexOf(';', StringComparison.Ordinal) + 1, prepared.TailOffset);
        Assert.Equal(["one", "two"], statement.Columns.Select(c => c.Name));
        Assert.True(statement.IsReadOnly);
        var empty = session.Prepare("  -- nothing\n");
        Assert.Null(empty.Statement);
        Assert.Null(empty.Error);
    }

    [Fact]
    public async Task Rows_are_fetched_in_the_chunks_the_client_asks_for()
    {
        var (tenant, _, follower) = await TenantAsync();
        await using var session = await _cluster.ConnectAsync(follower, tenant);
        await session.RunAsync("CREATE TABLE n(x INTEGER, pad TEXT)");
        var filled = await session.RunAsync("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2500) INSERT INTO n SELECT x, hex(randomblob(100)) FROM c");
        Assert.Equal(2500, filled.Result.Changes);

        using var statement = session.Prepare("SELECT x FROM n ORDER BY x").Statement!;
        var executed = await session.ExecuteAsync(statement, ReadOnlyMemory<SqlValue>.Empty, CancellationToken.None);
        await using (var cursor = executed.Cursor!)
        {
            var rows = new RowCollector();
            var chunks = new List<(int Rows, bool Suspended)>();
            SqlFetchResult result;
            do
            {
                var before = rows.Rows.Count;
                result = await cursor.FetchAsync(700, rows, CancellationToken.None);
                chunks.Add((rows.Rows.Count - before, result.Suspended));
            }
            while (result.Suspended);
            Assert.Equal([(700, true), (700, true), (700, true), (400, false)], chunks);
            Assert.Equal(Enumerable.Range(1, 2500).Select(i => i.ToString()), rows.Rows.Select(r => r[0]));
            Assert.Equal(2500, result.Rows);
        }

        // All at once: the leader sends it in bounded chunks, the client asks until the end.
        var all = await session.RunAsync("SELECT x, pad FROM n ORDER BY x");
        Assert.Equal(2500, all.Rows.Count);
        Assert.Equal("2500", all.Rows[^1][0]);

        // A portal left half read is closed on the leader when the client closes it.
        var partial = await session.ExecuteAsync(statement, ReadOnlyMemory<SqlValue>.Empty, CancellationToken.None);
        await using (var cursor = partial.Cursor!)
        {
            Assert.True((await cursor.FetchAsync(10, new RowCollector(), CancellationToken.None)).Suspended);
        }
        Assert.Equal("2500", (await session.RunAsync("SELECT count(*) FROM n")).Scalar);
    }

    [Fact]
    public async Task A_transaction_spans_calls_and_its_state_travels_with_every_answer()
    {
        var (tenant, leader, follower) = await TenantAsync();
        await using var session = await _cluster.ConnectAsync(follower, tenant);
        await using var other = await _cluster.ConnectAsync(leader, tenant);
        await session.RunAsync("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)");

        Assert.Null((await session.RunAsync("BEGIN")).Error);
        Assert.Equal(SqlTransactionState.InTransaction, session.TransactionState);
        await session.RunAsync("INSERT INTO t VALUES ('a', 1)");
        await session.RunAsync("INSERT INTO t VALUES ('b', 2)");
        Assert.Equal("0", (await other.RunAsync("SELECT count(*) FROM t")).Scalar);
        Assert.Equal("COMMIT", (await session.RunAsync("COMMIT")).Result.CommandVerb);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);
        Assert.Equal("2", (await other.RunAsync("SELECT count(*) FROM t")).Scalar);

        await session.RunAsync("BEGIN");
        Assert.Equal(SqlStates.UniqueViolation, (await session.RunAsync("INSERT INTO t VALUES ('a', 9)")).Error?.SqlState);
        Assert.Equal(SqlTransactionState.Failed, session.TransactionState);
        Assert.Equal(SqlStates.InFailedTransaction, (await session.RunAsync("SELECT 1")).Error?.SqlState);
        Assert.Equal("ROLLBACK", (await session.RunAsync("ROLLBACK")).Result.CommandVerb);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);

        // Fail() (an error the gateway found itself) reaches the leader with the next call.
        await session.RunAsync("BEGIN");
        session.Fail();
        Assert.Equal(SqlTransactionState.Failed, session.TransactionState);
        Assert.Equal(SqlStates.InFailedTransaction, (await session.RunAsync("INSERT INTO t VALUES ('c', 3)")).Error?.SqlState);
        await session.RunAsync("ROLLBACK");
        Assert.Equal("2", (await other.RunAsync("SELECT count(*) FROM t")).Scalar);
    }

    [Fact]
    public async Task Cancel_interrupts_a_statement_running_on_the_leader()
    {
        var (tenant, _, follower) = await TenantAsync();
        await using var session = await _cluster.ConnectAsync(follower, tenant);
        using var statement = session.Prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c").Statement!;
        var running = session.ExecuteAsync(statement, ReadOnlyMemory<SqlValue>.Empty, CancellationToken.None).AsTask();
        await Eventually.WaitUntilAsync(async () =>
        {
            // A cancel that arrives before the statement starts stepping has nothing to interrupt: send until it lands.
            session.Cancel();
            await ((Task)running.WaitAsync(TimeSpan.FromMilliseconds(50))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            return running.IsCompleted;
        }, "a cancel interrupts the statement running on the leader", TimeSpan.FromSeconds(20));
        var result = await running;
        Assert.Equal(SqlStates.QueryCanceled, result.Error?.SqlState);
        Assert.Equal("1", (await session.RunAsync("SELECT 1")).Scalar);
    }

    [Fact]
    public async Task Session_options_reach_the_leaders_silo()
    {
        var (tenant, leader, follower) = await TenantAsync();
        var options = new SqlSessionOptions
        {
            SetupSql = "CREATE TEMP TABLE hello(x); INSERT INTO temp.hello VALUES ('world');",
            Functions = [new SqlScalarFunction("current_database", 0, _ => SqlValue.FromText("elsewhere"))],
        };
        await using var session = await _cluster.ConnectAsync(follower, tenant, options);
        Assert.Equal(leader, ((RoutedSqlSession)session).BackendNode);
        var outcome = await session.RunAsync("SELECT current_database(), (SELECT x FROM hello)");
        Assert.Null(outcome.Error);
        // The leader's silo registers its own body of the function the caller named (the SQL gateway's, there).
        Assert.Equal(new string?[] { tenant, "world" }, outcome.Rows[0]);
    }

    [Fact]
    public async Task A_session_on_the_leaders_own_silo_runs_locally()
    {
        var (tenant, leader, _) = await TenantAsync();
        var hosted = _cluster[leader].Node.SqlCallHandler.SessionCount;
        await using var session = await _cluster.ConnectAsync(leader, tenant);
        Assert.Equal(leader, ((RoutedSqlSession)session).BackendNode);
        Assert.Equal("3", (await session.RunAsync("SELECT 1 + 2")).Scalar);
        Assert.Equal(hosted, _cluster[leader].Node.SqlCallHandler.SessionCount);
    }

    [Fact]
    public async Task Closing_the_session_closes_it_on_the_leader()
    {
        var (tenant, leader, follower) = await TenantAsync();
        var handler = _cluster[leader].Node.SqlCallHandler;
        var hosted = handler.SessionCount;
        var session = await _cluster.ConnectAsync(follower, tenant);
        var router = _cluster[follower].Node.SqlRouter!;
        var remote = router.RemoteSessionCount;
        await session.RunAsync("CREATE TABLE t(x)");
        await session.RunAsync("BEGIN");
        await session.RunAsync("INSERT INTO t VALUES (1)");
        Assert.Equal(hosted + 1, handler.SessionCount);
        await session.DisposeAsync();
        Assert.Equal(hosted, handler.SessionCount);
        Assert.Equal(remote - 1, router.RemoteSessionCount);
        // Its transaction was rolled back and the write lock freed.
        await using var next = await _cluster.ConnectAsync(follower, tenant);
        Assert.Null((await next.RunAsync("INSERT INTO t VALUES (2)")).Error);
        Assert.Equal("1", (await next.RunAsync("SELECT count(*) FROM t")).Scalar);
    }
}
