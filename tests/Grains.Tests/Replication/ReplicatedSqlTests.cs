using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using Microsoft.Data.Sqlite;
using Xunit;

namespace IceFire.Grains.Tests.Replication;

/// <summary>
/// A tenant's SQL database replicated by its Raft group: three replicas on loopback, sessions on the leader, and
/// every replica's SQLite file read back directly.
/// </summary>
public sealed class ReplicatedSqlTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    [Fact]
    public async Task Writes_through_the_leader_leave_identical_tables_on_every_replica()
    {
        await using var cluster = new TenantCluster(Three);
        var leader = await cluster.LeaderAsync();
        await using var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);

        Assert.Equal("CREATE TABLE", await RunAsync(session, "CREATE TABLE readings(id INTEGER PRIMARY KEY, noise REAL, at TEXT, note TEXT)"));
        // random() and the clock run once, on the leader; the replicas get the values, not the expressions.
        Assert.Equal("INSERT 3", await RunAsync(session, "INSERT INTO readings(noise, at) VALUES (random(), datetime('now')), (random(), strftime('%f', 'now')), (randomblob(4), julianday('now'))"));
        Assert.Equal("BEGIN", await RunAsync(session, "BEGIN"));
        Assert.Equal(SqlTransactionState.InTransaction, session.TransactionState);
        Assert.Equal("UPDATE 3", await RunAsync(session, "UPDATE readings SET note = hex(randomblob(8))"));
        Assert.Equal("DELETE 1", await RunAsync(session, "DELETE FROM readings WHERE id = 2"));
        Assert.Equal("ALTER TABLE", await RunAsync(session, "ALTER TABLE readings ADD COLUMN extra INTEGER DEFAULT 7"));
        Assert.Equal("INSERT 1", await RunAsync(session, "INSERT INTO readings(noise, at, note) VALUES (1.5, 'x', 'y')"));
        Assert.Equal("COMMIT", await RunAsync(session, "COMMIT"));
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);
        Assert.Equal("SELECT 1|4", await RunAsync(session, "SELECT count(*) = 3, max(id) FROM readings"));

        await WaitIdenticalAsync(cluster, "readings");
        Assert.Equal("CREATE TABLE", await RunAsync(session, "CREATE TABLE copies AS SELECT id, noise, random() AS salt FROM readings"));
        await WaitIdenticalAsync(cluster, "copies");

        // The applied index lives in the same file, out of clients' reach.
        foreach (var reserved in (string[])["SELECT * FROM _icefire_applied", "DELETE FROM _icefire_applied", "CREATE TABLE _icefire_mine(x)", "DROP TABLE _icefire_applied"])
        {
            Assert.Equal(SqlStates.InsufficientPrivilege, (await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, reserved))).Error.SqlState);
        }
    }

    [Fact]
    public async Task A_failed_statement_or_a_rollback_replicates_nothing()
    {
        await using var cluster = new TenantCluster(Three);
        var leader = await cluster.LeaderAsync();
        await using var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        await RunAsync(session, "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)");
        await RunAsync(session, "INSERT INTO items VALUES (1, 'one')");
        var appliedBefore = leader.AppliedIndex;

        var duplicate = await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, "INSERT INTO items VALUES (2, 'one')"));
        Assert.Equal(SqlStates.UniqueViolation, duplicate.Error.SqlState);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);

        await RunAsync(session, "BEGIN");
        await RunAsync(session, "INSERT INTO items VALUES (3, 'three')");
        Assert.Equal("ROLLBACK", await RunAsync(session, "ROLLBACK"));

        await RunAsync(session, "BEGIN");
        await RunAsync(session, "INSERT INTO items VALUES (4, 'four')");
        await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, "INSERT INTO items VALUES (5, 'four')"));
        Assert.Equal(SqlTransactionState.Failed, session.TransactionState);
        Assert.Equal(SqlStates.InFailedTransaction, (await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, "SELECT 1"))).Error.SqlState);
        Assert.Equal("ROLLBACK", await RunAsync(session, "COMMIT"));

        Assert.Equal(appliedBefore, leader.AppliedIndex);
        Assert.Equal("SELECT 1|one", await RunAsync(session, "SELECT id, name FROM items"));
        await WaitIdenticalAsync(cluster, "items");
    }

    [Fact]
    public async Task Concurrent_autocommit_writes_all_land_and_a_failing_one_fails_alone()
    {
        await using var cluster = new TenantCluster(Three);
        var leader = await cluster.LeaderAsync();
        await using (var setup = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None))
        {
            await RunAsync(setup, "CREATE TABLE tickets(id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, code TEXT UNIQUE)");
        }
        const int Sessions = 12, Each = 15;
        var duplicates = 0;
        await Task.WhenAll(Enumerable.Range(0, Sessions).Select(async s =>
        {
            await using var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
            for (var i = 0; i < Each; i++)
            {
                Assert.Equal("INSERT 1", await RunAsync(session, $"INSERT INTO tickets(owner, code) VALUES ({s}, 'c{s}-{i}')"));
                // The session's own last_insert_rowid() names its row, though the insert ran in a batch elsewhere.
                Assert.Equal($"SELECT {s}|c{s}-{i}", await RunAsync(session, "SELECT owner, code FROM tickets WHERE id = last_insert_rowid()"));
                if (i % 5 == 0)
                {
                    // Shares its batch with other sessions' inserts, which stay.
                    var clash = await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, $"INSERT INTO tickets(owner, code) VALUES ({s}, 'c{s}-{i}')"));
                    Assert.Equal(SqlStates.UniqueViolation, clash.Error.SqlState);
                    Interlocked.Increment(ref duplicates);
                }
            }
        }));
        Assert.Equal(Sessions * Each / 5, duplicates);
        await using var reader = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        Assert.Equal($"SELECT {Sessions * Each}|{Sessions}", await RunAsync(reader, "SELECT count(*), count(DISTINCT owner) FROM tickets"));
        await WaitIdenticalAsync(cluster, "tickets");
    }

    [Fact]
    public async Task A_null_primary_key_is_refused_rather_than_lost()
    {
        await using var cluster = new TenantCluster(Three);
        var leader = await cluster.LeaderAsync();
        await using var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        await RunAsync(session, "CREATE TABLE named(name TEXT PRIMARY KEY, v INTEGER)");
        await RunAsync(session, "CREATE TABLE pairs(a TEXT, b TEXT, PRIMARY KEY (a, b))");
        await RunAsync(session, "CREATE TABLE counted(id INTEGER PRIMARY KEY, v INTEGER)");

        // SQLite would store these rows, but its session extension records no change to a row with a NULL key.
        foreach (var insert in (string[])["INSERT INTO named VALUES (NULL, 1)", "INSERT INTO pairs VALUES ('x', NULL)"])
        {
            Assert.Equal(SqlStates.NotNullViolation, (await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, insert))).Error.SqlState);
        }
        await RunAsync(session, "INSERT INTO named VALUES ('one', 1)");
        Assert.Equal(SqlStates.NotNullViolation, (await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, "UPDATE named SET name = NULL"))).Error.SqlState);
        // An INTEGER PRIMARY KEY is the rowid: NULL takes the next one.
        Assert.Equal("INSERT 1", await RunAsync(session, "INSERT INTO counted VALUES (NULL, 7)"));

        Assert.Equal("SELECT one|1", await RunAsync(session, "SELECT name, v FROM named"));
        Assert.Equal("SELECT 0", await RunAsync(session, "SELECT count(*) FROM pairs"));
        await WaitIdenticalAsync(cluster, "named");
        await WaitIdenticalAsync(cluster, "counted");
    }

    [Fact]
    public async Task A_transaction_open_when_leadership_moves_is_rolled_back_and_says_40001()
    {
        await using var cluster = new TenantCluster(Three);
        var leader = await cluster.LeaderAsync();
        await using var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        await RunAsync(session, "CREATE TABLE ledger(id INTEGER PRIMARY KEY, amount INTEGER)");
        await RunAsync(session, "BEGIN");
        await RunAsync(session, "INSERT INTO ledger VALUES (1, 100)");

        var target = Three.First(id => cluster[id] != leader);
        await leader.Group.TransferLeadershipAsync(target);
        await Eventually.WaitUntilAsync(() => cluster[target].Group.Role == RaftRole.Leader && !leader.IsLeader, "the transfer", TimeSpan.FromSeconds(20));

        var moved = await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, "INSERT INTO ledger VALUES (2, 200)"));
        Assert.Equal(SqlStates.SerializationFailure, moved.Error.SqlState);
        Assert.Equal(SqlTransactionState.Failed, session.TransactionState);
        Assert.Equal("ROLLBACK", await RunAsync(session, "ROLLBACK"));

        // The new leader writes; the old one applies that as a follower, its aborted transaction long gone.
        await using var next = await cluster[target].Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        Assert.Equal("INSERT 1", await RunAsync(next, "INSERT INTO ledger VALUES (3, 300)"));
        Assert.Equal("SELECT 3|300", await RunAsync(next, "SELECT id, amount FROM ledger"));
        await WaitIdenticalAsync(cluster, "ledger");

        // The old leader's session refuses writes now: it is a follower.
        var refused = await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, "INSERT INTO ledger VALUES (4, 400)"));
        Assert.Equal(SqlStates.SerializationFailure, refused.Error.SqlState);
    }

    [Fact]
    public async Task A_commit_after_leadership_moved_says_40001_and_until_then_the_transaction_reads_as_open()
    {
        await using var cluster = new TenantCluster(Three);
        var leader = await cluster.LeaderAsync();
        await using var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        await RunAsync(session, "CREATE TABLE ledger(id INTEGER PRIMARY KEY, amount INTEGER)");
        await RunAsync(session, "BEGIN");
        await RunAsync(session, "INSERT INTO ledger VALUES (1, 100)");

        var target = Three.First(id => cluster[id] != leader);
        await leader.Group.TransferLeadershipAsync(target);
        // The old leader rolls the transaction back and frees the tenant's write lock.
        await Eventually.WaitUntilAsync(() => !leader.IsLeader && ((LocalSqlTenant)leader.Sql).WriteLock.CurrentCount == 1,
            "the old leader to roll the open transaction back", TimeSpan.FromSeconds(20));
        // Its client has not heard yet: the transaction still reads as open (a router would otherwise run the next
        // statement on the new leader, outside any transaction).
        Assert.Equal(SqlTransactionState.InTransaction, session.TransactionState);

        // COMMIT did not commit: 40001, not a ROLLBACK tag a driver would take for success; the transaction is over.
        var commit = await Assert.ThrowsAsync<SqlTestException>(() => RunAsync(session, "COMMIT"));
        Assert.Equal(SqlStates.SerializationFailure, commit.Error.SqlState);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);
        await using var next = await cluster[target].Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        Assert.Equal("SELECT 0", await RunAsync(next, "SELECT count(*) FROM ledger"));
    }

    [Fact]
    public async Task A_replica_that_was_away_catches_up_from_a_snapshot_carrying_the_tables()
    {
        await using var cluster = new TenantCluster(Three, snapshotEvery: 20);
        var leader = await cluster.LeaderAsync();
        var away = Three.First(id => cluster[id] != leader);
        await cluster.StopAsync(away);
        await using (var session = await leader.Sql.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None))
        {
            await RunAsync(session, "CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT)");
            for (var i = 0; i < 60; i++)
            {
                await RunAsync(session, $"INSERT INTO events(payload) VALUES ('event {i}' || hex(randomblob(2)))");
            }
            await RunAsync(session, "DELETE FROM events WHERE id % 7 = 0");
        }
        await Eventually.WaitUntilAsync(() => leader.Group.SnapshotIndex > 30, "the leader to compact its log", TimeSpan.FromSeconds(20));
        var compactedAt = leader.Group.SnapshotIndex;

        cluster.Start(away);
        await WaitIdenticalAsync(cluster, "events");
        await WaitIdenticalAsync(cluster, "sqlite_sequence");
        Assert.True(cluster[away].Group.SnapshotIndex >= compactedAt, $"replica {away} caught up from the log, not from snapshot {compactedAt}");
    }

    /// <summary>Runs every statement of <paramref name="sql"/>; returns the last one's tag, or "SELECT" and its rows joined.</summary>
    internal static async Task<string> RunAsync(ISqlSession session, string sql)
    {
        var result = "";
        while (sql.Trim().Length > 0)
        {
            var prepared = session.Prepare(sql);
            if (prepared.Error is { } error)
            {
                throw new SqlTestException(error);
            }
            using var statement = prepared.Statement!;
            sql = sql[prepared.TailOffset..];
            var executed = await session.ExecuteAsync(statement, ReadOnlyMemory<SqlValue>.Empty, CancellationToken.None);
            if (executed.Error is { } failed)
            {
                throw new SqlTestException(failed);
            }
            await using var cursor = executed.Cursor!;
            var sink = new Rows();
            var fetched = await cursor.FetchAsync(0, sink, CancellationToken.None);
            if (fetched.Error is { } fetchError)
            {
                throw new SqlTestException(fetchError);
            }
            result = fetched.CommandVerb switch
            {
                "SELECT" => string.Join(" ", ["SELECT", .. sink.Lines]),
                "INSERT" or "UPDATE" or "DELETE" => $"{fetched.CommandVerb} {fetched.Changes}",
                _ => fetched.CommandVerb,
            };
        }
        return result;
    }

    /// <summary>Waits until every running replica's file holds the same rows of <paramref name="table"/>, byte for byte.</summary>
    internal static async Task WaitIdenticalAsync(TenantCluster cluster, string table)
    {
        var leader = await cluster.LeaderAsync();
        string[] dumps = [];
        await Eventually.WaitUntilAsync(() =>
        {
            if (cluster.Running.Any(id => cluster[id].AppliedIndex < leader.Group.CommitIndex))
            {
                return false;
            }
            dumps = cluster.Running.Select(id => Dump(cluster[id].SqlPath, table)).ToArray();
            return dumps.Distinct().Count() == 1;
        }, $"every replica to hold the same {table}", TimeSpan.FromSeconds(20));
        Assert.NotEqual("", dumps[0]);
    }

    private static string Dump(string path, string table)
    {
        if (!File.Exists(path))
        {
            return "";
        }
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var columns = connection.CreateCommand();
        columns.CommandText = $"SELECT group_concat('quote(\"' || name || '\")', ' || ''|'' || ') FROM pragma_table_info('{table}')";
        var expression = columns.ExecuteScalar() as string;
        if (expression is null)
        {
            return "";
        }
        using var rows = connection.CreateCommand();
        rows.CommandText = $"SELECT {expression} FROM \"{table}\" ORDER BY rowid";
        using var reader = rows.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join("\n", lines);
    }

    private sealed class Rows : ISqlRowSink
    {
        public List<string> Lines { get; } = [];

        public void WriteRow(ReadOnlySpan<SqlValue> row)
        {
            var cells = new string[row.Length];
            for (var i = 0; i < row.Length; i++)
            {
                cells[i] = row[i].ToString();
            }
            Lines.Add(string.Join("|", cells));
        }
    }

    internal sealed class SqlTestException(SqlError error) : Exception($"{error.SqlState}: {error.Message}")
    {
        public SqlError Error { get; } = error;
    }
}
