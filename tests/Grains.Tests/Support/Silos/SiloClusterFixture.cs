using IceFire.Grains.Cluster;
using Xunit;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>A <see cref="SiloCluster"/> shared by the tests of a class (<c>IClassFixture</c>), started once.</summary>
public abstract class SiloClusterFixture(int silos) : IAsyncLifetime
{
    public SiloCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await SiloCluster.StartAsync(silos);

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>One silo: a cluster of one, founded by node 1.</summary>
public sealed class OneSilo() : SiloClusterFixture(1)
{
    public ClusterNode Node => Cluster.Nodes[0];
}

/// <summary>Three silos: node 1 founds, nodes 2 and 3 join.</summary>
public sealed class ThreeSilos() : SiloClusterFixture(3);
