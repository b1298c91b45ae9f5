using IceFire.Grains.Sql;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;
using static IceFire.Grains.Tests.Sql.SqlTestDatabases;

namespace IceFire.Grains.Tests.Sql;

/// <summary>A leader captures write transactions; replicas apply them; all must hold the same rows and schema.</summary>
public sealed class SqlReplicationTests(ITestOutputHelper output) : IDisposable
{
    private const string Applied = SqlReplicaApplier.AppliedTable;
    private readonly SqlTestDatabases _databases = new();

    public void Dispose() => _databases.Dispose();

    /// <summary>Writes whose values the leader alone can know, schema changes between them, and what follows them.</summary>
    private static readonly string[][] Transactions =
    [
        ["CREATE TABLE t (id INTEGER PRIMARY KEY, r INTEGER, at TEXT, b BLOB, d DEFAULT (random()))"],
        [
            "INSERT INTO t (r, at, b) VALUES (random(), datetime('now'), randomblob(8))",
            "INSERT INTO t (r, at, b) SELECT random(), strftime('%Y-%m-%d %H:%M:%f', 'now'), randomblob(16) " +
                "FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) SELECT i FROM n)",
        ],
        ["UPDATE t SET r = random(), at = datetime('now', '+' || abs(random() % 1000) || ' seconds') WHERE id % 2 = 0"],
        ["DELETE FROM t WHERE id % 3 = 0"],
        [
            "UPDATE t SET b = randomblob(4) WHERE id < 5",
            "ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'none'",
            "UPDATE t SET note = hex(randomblob(4)) WHERE id % 5 = 1",
            "CREATE INDEX t_r ON t (r)",
            "INSERT INTO t (r, at) VALUES (random(), datetime('now'))",
        ],
        ["CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID", "INSERT INTO kv VALUES ('a', random()), ('b', randomblob(3))"],
        ["CREATE TABLE nopk (a, b DEFAULT (random()))", "INSERT INTO nopk (a) VALUES (1), (2), (3)", "DELETE FROM nopk WHERE a = 2"],
        ["CREATE TABLE snap AS SELECT id, random() AS noise, datetime('now') AS at FROM t", "UPDATE snap SET noise = 0 WHERE id = 1"],
        ["CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT, v)", "INSERT INTO seq (v) VALUES (random()), (2), (3)", "DELETE FROM seq WHERE id = 3"],
        ["INSERT INTO seq (v) VALUES (4)", "DELETE FROM seq WHERE v = 4"],
        [
            "CREATE TABLE audit (id INTEGER PRIMARY KEY, what, at)",
            "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO audit (what, at) VALUES (new.id, random()); END",
            "INSERT INTO t (r) VALUES (random()), (random())",
        ],
        [
            "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE child (id INTEGER PRIMARY KEY, p REFERENCES parent (id) ON DELETE CASCADE)",
            "INSERT INTO parent VALUES (1), (2)",
            "INSERT INTO child VALUES (10, 1), (11, 1), (12, 2)",
        ],
        ["PRAGMA foreign_keys = ON"],
        ["DELETE FROM parent WHERE id = 1"],
        ["CREATE VIEW noisy AS SELECT id, random() AS r FROM t", "DROP INDEX t_r", "ALTER TABLE kv RENAME TO kv2", "DROP TABLE nopk"],
    ];

    [Fact]
    public void ReplicasApplyingTheLeadersUnitsHoldTheLeadersRowsAndSchema()
    {
        var leader = _databases.Open("leader");
        var replicas = new[] { _databases.Open("replica1"), _databases.Open("replica2") };
        var appliers = replicas.Select(r => new SqlReplicaApplier(r)).ToArray();
        foreach (var replica in replicas)
        {
            Exec(replica, "PRAGMA foreign_keys = ON");
        }
        long index = 0;
        foreach (var transaction in Transactions)
        {
            if (transaction[0].StartsWith("PRAGMA", StringComparison.Ordinal))
            {
                Exec(leader, transaction[0]); // a connection setting, outside any captured transaction
                continue;
            }
            var unit = SqlWriteUnitCodec.Decode(SqlWriteUnitCodec.Encode(Write(leader, transaction)));
            index++;
            foreach (var applier in appliers)
            {
                Assert.True(applier.TryApply(index, unit));
            }
        }

        var expected = Dump(leader, Applied);
        output.WriteLine(expected);
        Assert.Contains("table audit: 2 rows", expected, StringComparison.Ordinal);
        Assert.Contains("t:seq | i:4", expected, StringComparison.Ordinal);
        Assert.Contains("table child: 1 rows", expected, StringComparison.Ordinal);
        foreach (var replica in replicas)
        {
            Assert.Equal(expected, Dump(replica, Applied));
            Assert.Equal(index, Scalar(replica, $"SELECT applied_index FROM {Applied}"));
        }
        Assert.Equal(Dump(replicas[0]), Dump(replicas[1]));
        Assert.Equal(_databases.FileBytes("replica1"), _databases.FileBytes("replica2"));
        Assert.Equal(_databases.VacuumedBytes(replicas[0], "replica1.vacuum"), _databases.VacuumedBytes(replicas[1], "replica2.vacuum"));

        // The leader ran the statements themselves and has no applied-index table; compare its compacted copy with a
        // replica's copy from which that table is dropped.
        var copy = _databases.Open("replica1.vacuum");
        Exec(copy, $"DROP TABLE {Applied}");
        var leaderBytes = _databases.VacuumedBytes(leader, "leader.vacuum");
        var replicaBytes = _databases.VacuumedBytes(copy, "replica1.stripped");
        var differing = Enumerable.Range(0, Math.Min(leaderBytes.Length, replicaBytes.Length)).Where(i => leaderBytes[i] != replicaBytes[i]).ToList();
        output.WriteLine($"leader copy {leaderBytes.Length} bytes, replica copy {replicaBytes.Length} bytes, {differing.Count} bytes differ: " +
            string.Join(", ", differing.Take(20)));
        // Only the schema cookie (header bytes 40-43) may differ: dropping the table moved the copy's.
        Assert.Equal(leaderBytes.Length, replicaBytes.Length);
        Assert.All(differing, i => Assert.InRange(i, 40, 43));
    }

    [Fact]
    public void ALeaderThatAppliesItsOwnUnitsHoldsTheSameFileAsItsReplicas()
    {
        // The leader may also roll its transaction back and apply the unit once the log commits it, like every
        // replica: then its file is the replicas' file, byte for byte.
        var leader = _databases.Open("leader");
        var replica = _databases.Open("replica");
        var leaderApplier = new SqlReplicaApplier(leader);
        var replicaApplier = new SqlReplicaApplier(replica);
        long index = 0;
        foreach (var transaction in Transactions)
        {
            if (transaction[0].StartsWith("PRAGMA", StringComparison.Ordinal))
            {
                continue;
            }
            SqlWriteUnit unit;
            using (var capture = SqlWriteCapture.Begin(leader))
            {
                foreach (var sql in transaction)
                {
                    capture.Execute(sql);
                }
                unit = capture.Finish();
                capture.Rollback();
            }
            index++;
            Assert.True(leaderApplier.TryApply(index, unit));
            Assert.True(replicaApplier.TryApply(index, unit));
        }
        Assert.Equal(Dump(leader), Dump(replica));
        Assert.Equal(_databases.FileBytes("leader"), _databases.FileBytes("replica"));
    }

    [Fact]
    public void ARolledBackTransactionProducesNothing()
    {
        var leader = _databases.Open("leader");
        Exec(leader, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)");
        var before = Dump(leader);
        using (var capture = SqlWriteCapture.Begin(leader))
        {
            capture.Execute("INSERT INTO t (v) VALUES (random())");
            capture.Execute("CREATE TABLE u (x)");
            capture.Rollback();
            Assert.Throws<InvalidOperationException>(() => capture.Finish());
        }
        using (var capture = SqlWriteCapture.Begin(leader))
        {
            capture.Execute("INSERT INTO t (v) VALUES (1)");
            // Disposed without a commit: rolled back.
        }
        Assert.Equal(before, Dump(leader));

        // A transaction whose changes cancel out has nothing to replicate either.
        var unit = Write(leader, "INSERT INTO t (id, v) VALUES (7, random())", "UPDATE t SET v = 2 WHERE id = 7", "DELETE FROM t WHERE id = 7");
        Assert.True(unit.IsEmpty);
    }

    [Fact]
    public void AFailedStatementLeavesNothingInTheUnit()
    {
        var leader = _databases.Open("leader");
        var replica = _databases.Open("replica");
        var applier = new SqlReplicaApplier(replica);
        Assert.True(applier.TryApply(1, Write(leader, "CREATE TABLE t (id INTEGER PRIMARY KEY, v NOT NULL)")));
        using (var capture = SqlWriteCapture.Begin(leader))
        {
            capture.Execute("INSERT INTO t VALUES (1, 'kept')");
            // The second row violates NOT NULL, so SQLite undoes the whole statement, first row included.
            Assert.Throws<SqliteException>(() => capture.Execute("INSERT INTO t VALUES (2, 'undone'), (3, NULL)"));
            Assert.Throws<SqliteException>(() => capture.Execute("CREATE TABLE t (x)"));
            Assert.True(applier.TryApply(2, capture.Commit()));
        }
        Assert.Equal(Dump(leader, Applied), Dump(replica, Applied));
        Assert.Equal(1L, Scalar(replica, "SELECT count(*) FROM t"));
    }

    [Fact]
    public void RefusedStatementsDoNotRun()
    {
        var leader = _databases.Open("leader");
        using var capture = SqlWriteCapture.Begin(leader);
        Assert.Throws<SqlStatementRefusedException>(() => capture.Execute("ATTACH 'x.db' AS x"));
        Assert.Throws<SqlStatementRefusedException>(() => capture.Execute("CREATE TEMP TABLE scratch (a)"));
        Assert.Throws<SqlStatementRefusedException>(() => capture.Execute("PRAGMA user_version = 3"));
        Assert.Throws<SqlStatementRefusedException>(() => capture.Execute("COMMIT"));
        Assert.True(capture.Commit().IsEmpty);
        Assert.Equal(0L, Scalar(leader, "PRAGMA user_version"));
    }

    [Fact]
    public void AConflictingApplyThrowsAndLeavesTheReplicaUnchanged()
    {
        var leader = _databases.Open("leader");
        var replica = _databases.Open("replica");
        var applier = new SqlReplicaApplier(replica);
        Assert.True(applier.TryApply(1, Write(leader, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')")));
        Exec(replica, "UPDATE t SET v = 'diverged' WHERE id = 2");
        var before = Dump(replica);

        var unit = Write(leader, "CREATE TABLE u (x PRIMARY KEY)", "INSERT INTO t VALUES (3, 'c')", "UPDATE t SET v = 'B' WHERE id = 2");
        var error = Assert.Throws<SqlReplicaDivergenceException>(() => applier.TryApply(2, unit));
        Assert.Contains("DATA", error.Message, StringComparison.Ordinal);
        Assert.Contains("table t", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Dump(replica));
        Assert.Equal(1L, applier.AppliedIndex);

        Exec(replica, "INSERT INTO t VALUES (5, 'there already')");
        before = Dump(replica);
        error = Assert.Throws<SqlReplicaDivergenceException>(() => applier.TryApply(3, Write(leader, "INSERT INTO t VALUES (4, 'd'), (5, 'e')")));
        Assert.Contains("CONFLICT", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Dump(replica));
        Assert.Throws<SqlReplicaDivergenceException>(() => applier.TryApply(3, Write(leader, "DELETE FROM t WHERE id = 3")));
        Assert.Equal(before, Dump(replica));
    }

    [Fact]
    public void AnAppliedUnitIsNotAppliedAgain()
    {
        var leader = _databases.Open("leader");
        var replica = _databases.Open("replica");
        var unit = Write(leader, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)", "INSERT INTO t VALUES (1, random())");
        var applier = new SqlReplicaApplier(replica);
        Assert.Equal(0, applier.AppliedIndex);
        Assert.True(applier.TryApply(5, unit));
        var after = Dump(replica);
        Assert.False(applier.TryApply(5, unit));
        Assert.False(applier.TryApply(4, SqlWriteUnit.Empty));

        // Reopened, as after a restart: the index survived with the data.
        replica.Close();
        var reopened = _databases.Open("replica");
        var again = new SqlReplicaApplier(reopened);
        Assert.Equal(5, again.AppliedIndex);
        Assert.False(again.TryApply(5, unit));
        Assert.Equal(after, Dump(reopened));
        Assert.True(again.TryApply(6, SqlWriteUnit.Empty));
        Assert.Equal(6, again.AppliedIndex);
    }
}
