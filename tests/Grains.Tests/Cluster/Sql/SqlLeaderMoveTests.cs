using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Tests.Support.Silos;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>
/// What a routed session does when its tenant's leader moves: real silos, the leadership of the tenant's group moved
/// by Raft's leadership transfer (and handed back to the preferred replica by the cluster soon after). Each test has its
/// own tenant. A leader set silo by silo, and one that dies mid-call or cannot be reached, are in
/// <see cref="SqlRoutingFaultTests"/>.
/// </summary>
[Collection(ThreeSilos.Collection)]
public sealed class SqlLeaderMoveTests(ThreeSilos silos)
{
    private readonly SiloCluster _cluster = silos.Cluster;

    /// <summary>The tenant's leader (its preferred replica), another replica, and the third replica.</summary>
    private (ulong First, ulong Second, ulong Third) Nodes(string tenant)
    {
        var replicas = _cluster.ReplicasOf(tenant);
        return (replicas[0], replicas[1], replicas[2]);
    }

    [Fact]
    public async Task Outside_a_transaction_the_session_follows_the_leader_and_keeps_its_statements()
    {
        var tenant = await _cluster.CreateTenantAsync("shop");
        var (first, second, client) = Nodes(tenant);
        await using var session = (RoutedSqlSession)await _cluster.ConnectAsync(client, tenant);
        await session.RunAsync("CREATE TABLE t(x INTEGER)");
        using var insert = session.Prepare("INSERT INTO t VALUES (?1)").Statement!;
        using var count = session.Prepare("SELECT count(*) FROM t").Statement!;
        Assert.Null((await session.RunAsync(insert, SqlValue.FromInteger(1))).Error);
        Assert.Equal(first, session.BackendNode);

        // Wherever the leadership goes next (the cluster hands it back to the preferred replica, the first, soon after),
        // the session follows it with the statements it prepared.
        await _cluster.MoveLeaderAsync(tenant, second);
        Assert.Null((await session.RunAsync(insert, SqlValue.FromInteger(2))).Error);
        Assert.Equal("2", (await session.RunAsync(count)).Scalar);

        // To the client's own silo, and back to a remote one.
        await _cluster.MoveLeaderAsync(tenant, client);
        Assert.Equal("2", (await session.RunAsync(count)).Scalar);
        await _cluster.MoveLeaderAsync(tenant, first);
        Assert.Null((await session.RunAsync(insert, SqlValue.FromInteger(3))).Error);
        Assert.Equal("3", (await session.RunAsync(count)).Scalar);
        Assert.Equal(first, session.BackendNode);
    }

    [Fact]
    public async Task Inside_a_transaction_a_move_fails_with_40001_until_rollback()
    {
        var tenant = await _cluster.CreateTenantAsync("shop");
        var (first, second, _) = Nodes(tenant);
        await using var session = await _cluster.ConnectAsync(second, tenant);
        await session.RunAsync("CREATE TABLE t(x INTEGER)");
        await session.RunAsync("BEGIN");
        await session.RunAsync("INSERT INTO t VALUES (1)");
        Assert.Equal(first, ((RoutedSqlSession)session).BackendNode);

        await _cluster.MoveLeaderAsync(tenant, second);
        var moved = await session.RunAsync("INSERT INTO t VALUES (2)");
        Assert.Equal(SqlStates.SerializationFailure, moved.Error?.SqlState);
        Assert.Equal(SqlTransactionState.Failed, session.TransactionState);
        Assert.Equal(SqlStates.InFailedTransaction, (await session.RunAsync("SELECT 1")).Error?.SqlState);
        Assert.Equal("ROLLBACK", (await session.RunAsync("ROLLBACK")).Result.CommandVerb);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);

        // The session moves on; nothing of the lost transaction was kept.
        Assert.Equal("0", (await session.RunAsync("SELECT count(*) FROM t")).Scalar);
        Assert.Null((await session.RunAsync("INSERT INTO t VALUES (3)")).Error);
        Assert.Equal("1", (await session.RunAsync("SELECT count(*) FROM t")).Scalar);
    }

    [Fact]
    public async Task A_commit_refused_by_a_moved_leader_ends_the_transaction_with_40001()
    {
        var tenant = await _cluster.CreateTenantAsync("shop");
        var (first, second, _) = Nodes(tenant);
        await using var session = await _cluster.ConnectAsync(second, tenant);
        await session.RunAsync("CREATE TABLE t(x INTEGER)");
        await session.RunAsync("BEGIN");
        await session.RunAsync("INSERT INTO t VALUES (1)");
        Assert.Equal(first, ((RoutedSqlSession)session).BackendNode);
        await _cluster.MoveLeaderAsync(tenant, second);
        Assert.Equal(SqlStates.SerializationFailure, (await session.RunAsync("COMMIT")).Error?.SqlState);
        Assert.Equal(SqlTransactionState.Idle, session.TransactionState);
        Assert.Equal("0", (await session.RunAsync("SELECT count(*) FROM t")).Scalar);
    }
}
