using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Sql.Differential;

/// <summary>
/// A three-silo cluster for the differential suite: the default tenant (no password) for the simple protocol and a
/// tenant for Npgsql, both replicated on every silo.
/// </summary>
public sealed class ClusterDifferentialFixture : IAsyncLifetime
{
    private LocalCluster? _cluster;

    internal LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartAsync(3);
        await ClusterSql.SettledLeaderAsync(_cluster);
        using var admin = new AdminClient(_cluster.Silo(1));
        await admin.CreateOrFailAsync(OpenSqlSiloFixture.Tenant, OpenSqlSiloFixture.Tenant + "-pw");
        await _cluster.WaitConvergedAsync(OpenSqlSiloFixture.Tenant, 3);
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

/// <summary>The differential suite through a three-silo cluster: Npgsql on node 2, the simple protocol on node 3.</summary>
[Collection(ClusterSqlCollection.Name)]
public sealed class ClusterSqlDifferentialTests(ClusterDifferentialFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterDifferentialFixture>
{
    public static IEnumerable<object[]> Files() => SqlScript.Files();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Script_answers_as_sqlite_does_through_a_cluster(string file)
    {
        var cluster = fixture.Cluster;
        await using var npgsql = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = cluster.Silo(2).SqlPort,
            Username = OpenSqlSiloFixture.Tenant,
            Password = OpenSqlSiloFixture.Tenant + "-pw",
            Database = OpenSqlSiloFixture.Tenant,
            Pooling = false,
            Timeout = 15,
            CommandTimeout = 30,
        }.ConnectionString);
        await npgsql.OpenAsync();
        await using var wire = await PgWire.ConnectAsync(cluster.Silo(3).SqlPort);
        try
        {
            await DifferentialSuite.RunAsync(file, npgsql, wire, output);
        }
        catch
        {
            output.WriteLine(cluster.Logs());
            throw;
        }
    }
}
