using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Tests.Support.Silos;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>What a routed session does when its tenant's leader's silo stops: each test stops a silo of a cluster of its own.</summary>
public sealed class SqlLeaderLossTests
{
    [Fact]
    public async Task A_cursor_of_a_lost_leader_fails_its_next_fetch()
    {
        await using var cluster = await SiloCluster.StartAsync(3);
        var tenant = await cluster.CreateTenantAsync("shop");
        var replicas = cluster.ReplicasOf(tenant);
        await using var session = await cluster.ConnectAsync(replicas[1], tenant);
        await session.RunAsync("CREATE TABLE t(x INTEGER)");
        await session.RunAsync("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) INSERT INTO t SELECT x FROM c");
        using var select = session.Prepare("SELECT x FROM t").Statement!;
        var executed = await session.ExecuteAsync(select, ReadOnlyMemory<SqlValue>.Empty, CancellationToken.None);
        await using var cursor = executed.Cursor!;
        var rows = new RowCollector();
        Assert.True((await cursor.FetchAsync(1000, rows, CancellationToken.None)).Suspended);
        await cluster.KillAsync(replicas[0]);
        SqlFetchResult result;
        do
        {
            result = await cursor.FetchAsync(1000, rows, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        while (result.Suspended);
        Assert.Equal(SqlStates.CannotConnectNow, result.Error?.SqlState);
        Assert.True(rows.Rows.Count < 3000, "the rows after the leader's silo stopped cannot have been read");
    }
}
