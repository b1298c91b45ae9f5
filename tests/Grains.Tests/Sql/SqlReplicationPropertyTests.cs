using FsCheck;
using FsCheck.Fluent;
using IceFire.Grains.Sql;
using Xunit;
using static IceFire.Grains.Tests.Sql.SqlTestDatabases;

namespace IceFire.Grains.Tests.Sql;

/// <summary>Random transactions of inserts, updates and deletes (values from random()) keep a replica equal to its leader.</summary>
public sealed class SqlReplicationPropertyTests
{
    private static readonly string[] Schema =
    [
        "CREATE TABLE a (id INTEGER PRIMARY KEY, v, w DEFAULT (random()))",
        "CREATE TABLE b (k TEXT PRIMARY KEY, v) WITHOUT ROWID",
        "CREATE TABLE c (x, y)",
        "CREATE TABLE d (id INTEGER PRIMARY KEY AUTOINCREMENT, v UNIQUE)",
    ];

    /// <summary>One statement from (operation, table, key); values that only the leader can know where possible.</summary>
    private static string Statement(int operation, int table, int key) => (operation, table) switch
    {
        (0, 0) => $"INSERT OR REPLACE INTO a (id, v) VALUES ({key}, random())",
        (0, 1) => $"INSERT OR REPLACE INTO b VALUES ('k{key}', randomblob({key % 5}))",
        (0, 2) => $"INSERT INTO c VALUES ({key}, datetime('now', '+' || abs(random() % 9999) || ' seconds'))",
        (0, _) => $"INSERT OR IGNORE INTO d (v) VALUES ({key})",
        (1, 0) => $"UPDATE a SET v = random() WHERE id % 3 = {key % 3}",
        (1, 1) => $"UPDATE b SET v = {key} WHERE k >= 'k{key}'",
        (1, 2) => $"UPDATE c SET y = hex(randomblob(2)) WHERE x = {key}",
        (1, _) => $"UPDATE OR IGNORE d SET v = v + 1 WHERE id = {key}",
        (2, 0) => $"DELETE FROM a WHERE id = {key} OR v % 5 = 0",
        (2, 1) => $"DELETE FROM b WHERE k = 'k{key}'",
        (2, 2) => $"DELETE FROM c WHERE x = {key}",
        (2, _) => $"DELETE FROM d WHERE id >= {key}",
        _ => $"ALTER TABLE {(char)('a' + table)} ADD COLUMN e{key} DEFAULT {key}",
    };

    private static Gen<(int Operation, int Table, int Key)[][]> Histories()
    {
        var statement = Gen.Zip(Gen.Frequency((10, Gen.Choose(0, 2)), (1, Gen.Constant(3))), Gen.Zip(Gen.Choose(0, 3), Gen.Choose(0, 15)))
            .Select(t => (t.Item1, t.Item2.Item1, t.Item2.Item2));
        var transaction = Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(statement, n));
        return Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(transaction, n));
    }

    [Fact]
    public void RandomTransactionsKeepTheReplicaEqualToTheLeader()
    {
        Prop.ForAll(Gen.Zip(Histories(), Gen.Choose(0, 1000)).ToArbitrary(), pair =>
        {
            var (history, seed) = pair;
            using var databases = new SqlTestDatabases();
            var leader = databases.Open("leader");
            var replica = databases.Open("replica");
            var applier = new SqlReplicaApplier(replica);
            long index = 1;
            Assert.True(applier.TryApply(index, Write(leader, Schema)));
            var rollbacks = new Random(seed);
            foreach (var transaction in history)
            {
                using var capture = SqlWriteCapture.Begin(leader);
                foreach (var (operation, table, key) in transaction)
                {
                    try
                    {
                        capture.Execute(Statement(operation, table, key));
                    }
                    catch (Microsoft.Data.Sqlite.SqliteException)
                    {
                        // A column added twice: the statement failed and left nothing, as on a client's connection.
                    }
                }
                if (rollbacks.Next(5) == 0)
                {
                    capture.Rollback();
                    continue;
                }
                var unit = SqlWriteUnitCodec.Decode(SqlWriteUnitCodec.Encode(capture.Commit()));
                Assert.True(applier.TryApply(++index, unit));
            }
            Assert.Equal(Dump(leader, SqlReplicaApplier.AppliedTable), Dump(replica, SqlReplicaApplier.AppliedTable));
        }).QuickCheckThrowOnFailure();
    }
}
