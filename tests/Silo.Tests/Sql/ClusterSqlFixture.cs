using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>Three real silos sharing the default tenant's group, for SQL tests that leave the cluster as they found it.</summary>
public sealed class ClusterSqlFixture : IAsyncLifetime
{
    private LocalCluster? _cluster;

    internal LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartAsync(3);
        await ClusterSql.SettledLeaderAsync(_cluster);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The cluster SQL tests run one after another: each starts three silos, and two cores run only so many.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterSqlCollection
{
    public const string Name = "cluster SQL";
}
