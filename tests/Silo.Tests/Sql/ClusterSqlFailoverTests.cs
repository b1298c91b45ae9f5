using System.Globalization;
using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Sql;

/// <summary>kill -9 of the tenant's leader while clients on the other silos are inside (or waiting to start) transactions.</summary>
[Collection(ClusterSqlCollection.Name)]
public sealed class ClusterSqlFailoverTests(ITestOutputHelper output)
{
    /// <summary>How long a statement may take to answer while the tenant has no leader (the router gives up after 5 s).</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(15);

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The session of <paramref name="connection"/> made idle with ROLLBACK (whatever the failure left: a failed
    /// transaction, or none after COMMIT); or, when Npgsql closed the connection, a new one to the same silo. Npgsql
    /// closes it on 08xxx and 57P0x, which PostgreSQL sends only when the connection itself is lost.
    /// </summary>
    private static async Task<NpgsqlConnection> RolledBackAsync(LocalCluster cluster, int node, NpgsqlConnection connection)
    {
        if (connection.State == System.Data.ConnectionState.Open)
        {
            await ClusterSql.ExecAsync(connection, "ROLLBACK");
            return connection;
        }
        return await ClusterSql.OpenAsync(cluster, node);
    }

    [Fact]
    public async Task Killing_the_leader_mid_transaction_applies_none_of_it()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        try
        {
            var leader = await ClusterSql.SettledLeaderAsync(cluster);
            await using (var setup = await ClusterSql.OpenAsync(cluster, leader % 3 + 1))
            {
                await ClusterSql.ExecAsync(setup, "CREATE TABLE tx_rows(id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
                await ClusterSql.ExecAsync(setup, "INSERT INTO tx_rows VALUES (1, 'base'), (2, 'base'), (3, 'base')");
            }
            await ClusterSql.WaitFilesEqualAsync(cluster, [1, 2, 3], d => ClusterSql.RowsOf(d, "tx_rows").Count == 3,
                "the three base rows on every replica", TimeSpan.FromSeconds(20));

            // First the statement after the kill is another INSERT, then (under the next leader) it is COMMIT.
            await KillDuringTransactionAsync(cluster, 1000, commitAfterKill: false);
            await KillDuringTransactionAsync(cluster, 2000, commitAfterKill: true);
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

    /// <summary>
    /// Through the two silos that do not lead: a transaction with uncommitted rows (ids from <paramref name="first"/>),
    /// a second transaction waiting for the write lock, and an idle session. The leader is killed; every one of them
    /// answers in time; nothing of either transaction is on any replica; the killed silo returns and converges.
    /// </summary>
    private async Task KillDuringTransactionAsync(LocalCluster cluster, int first, bool commitAfterKill)
    {
        // The restarted silo of the previous round gets leadership back: wait for that before choosing the victim.
        var leader = await ClusterSql.SettledLeaderAsync(cluster);
        var survivors = Enumerable.Range(1, 3).Where(n => n != leader).ToArray();
        await using var a = await ClusterSql.OpenAsync(cluster, survivors[0]);
        await using var b = await ClusterSql.OpenAsync(cluster, survivors[1]);
        await using var idle = await ClusterSql.OpenAsync(cluster, survivors[1]);

        await using var ta = await a.BeginTransactionAsync();
        for (var id = first; id < first + 5; id++)
        {
            await ClusterSql.ExecAsync(a, $"INSERT INTO tx_rows VALUES ({id}, 'a')");
        }
        await ClusterSql.ExecAsync(a, "UPDATE tx_rows SET v = 'changed' WHERE id = 1");
        Assert.Equal(["5"], await ClusterSql.RowsAsync(a, $"SELECT count(*) FROM tx_rows WHERE id >= {first}"));

        // b's BEGIN and INSERT, sent before the kill, wait for the write lock a's transaction holds on the leader.
        await using var tb = await b.BeginTransactionAsync();
        var waiting = ClusterSql.ExecAsync(b, $"INSERT INTO tx_rows VALUES ({first + 50}, 'b')");

        Assert.Equal(leader, await cluster.LeaderOfAsync("default"));
        await cluster.KillAsync(leader);

        // An autocommit write sent at once, while the tenant may have no leader yet: re-routed, or refused in time.
        var autocommit = first + 90;
        var autocommitOutcome = ClusterSql.OutcomeAsync(() => ClusterSql.ExecAsync(idle, $"INSERT INTO tx_rows VALUES ({autocommit}, 'autocommit')"), AnswerBound);
        var (stateA, tookA) = commitAfterKill
            ? await ClusterSql.OutcomeAsync(() => ta.CommitAsync(), AnswerBound)
            : await ClusterSql.OutcomeAsync(() => ClusterSql.ExecAsync(a, $"INSERT INTO tx_rows VALUES ({first + 5}, 'a')"), AnswerBound);
        output.WriteLine($"node {leader} killed; {(commitAfterKill ? "COMMIT" : "INSERT")} of the open transaction: {stateA ?? "success"} after {tookA.TotalMilliseconds:0} ms");
        Assert.True(stateA is not null, "the transaction went on after its leader was killed");
        Assert.Contains(stateA, ClusterSql.LeaderLostStates);
        await using var a2 = await RolledBackAsync(cluster, survivors[0], a);

        var (stateB, tookB) = await ClusterSql.OutcomeAsync(() => waiting, AnswerBound);
        output.WriteLine($"the waiting transaction's INSERT: {stateB ?? "success (on the next leader)"} after {tookB.TotalMilliseconds:0} ms");
        Assert.True(stateB is null || ClusterSql.LeaderLostStates.Contains(stateB), $"the waiting INSERT failed with {stateB}");
        // Begun afresh on the next leader or lost with the old one: rolled back either way.
        await using var b2 = await RolledBackAsync(cluster, survivors[1], b);

        var (stateIdle, tookIdle) = await autocommitOutcome;
        output.WriteLine($"autocommit INSERT: {stateIdle ?? "success"} after {tookIdle.TotalMilliseconds:0} ms");
        Assert.True(stateIdle is null || ClusterSql.LeaderLostStates.Contains(stateIdle), $"the autocommit INSERT failed with {stateIdle}");

        var newLeader = await cluster.LeaderOfAsync("default", TimeSpan.FromSeconds(20));
        Assert.Contains(newLeader, survivors);

        // Nothing of either transaction through either survivor, whose sessions (old and new) go on writing.
        foreach (var node in survivors)
        {
            await using var c = await ClusterSql.OpenAsync(cluster, node);
            var leaked = await ClusterSql.RowsAsync(c, $"SELECT id FROM tx_rows WHERE id BETWEEN {first} AND {first + 89} OR v IN ('a', 'b', 'changed')");
            Assert.True(leaked.Count == 0, $"node {node} answers rows of transactions that never committed: {string.Join(", ", leaked)}");
            Assert.Equal(1, await ClusterSql.ExecAsync(c, $"INSERT INTO tx_rows VALUES ({first + 100 + node}, 'after')"));
        }
        Assert.Equal(1, await ClusterSql.ExecAsync(a2, $"INSERT INTO tx_rows VALUES ({first + 200}, 'a after')"));
        Assert.Equal(1, await ClusterSql.ExecAsync(b2, $"INSERT INTO tx_rows VALUES ({first + 201}, 'b after')"));

        List<string> expected;
        await using (var c = await ClusterSql.OpenAsync(cluster, survivors[0]))
        {
            expected = await ClusterSql.RowsAsync(c, "SELECT quote(id) || '|' || quote(v) FROM tx_rows ORDER BY rowid");
        }
        var committed = expected.Select(r => r.Split('|')[0]).ToHashSet();
        Assert.Superset(new HashSet<string>(["1", "2", "3", Id(first + 200), Id(first + 201), .. survivors.Select(n => Id(first + 100 + n))]), committed);
        if (stateIdle is null)
        {
            Assert.Contains(Id(autocommit), committed);
        }
        else if (stateIdle != "08007")
        {
            Assert.DoesNotContain(Id(autocommit), committed);
        }
        await ClusterSql.WaitFilesEqualAsync(cluster, survivors, d => ClusterSql.RowsOf(d, "tx_rows").SequenceEqual(expected),
            "both survivors' files to hold the committed rows only", TimeSpan.FromSeconds(20));

        // The killed silo comes back and catches up to the same tables.
        await cluster.StartNodeAsync(leader);
        await cluster.WaitConvergedAsync("default", 3, TimeSpan.FromSeconds(30));
        await ClusterSql.WaitFilesEqualAsync(cluster, [1, 2, 3], d => ClusterSql.RowsOf(d, "tx_rows").SequenceEqual(expected),
            $"node {leader}'s file, after its restart, to equal the survivors'", TimeSpan.FromSeconds(30));
    }
}
