using IceFire.Grains.Cluster;
using Xunit;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>
/// A <see cref="SiloCluster"/> started once and shared: by the tests of a class (<c>IClassFixture</c>), or of every
/// class in a collection (<see cref="ThreeSilos.Collection"/>), which then run one after another.
/// </summary>
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

/// <summary>
/// Three silos: node 1 founds, nodes 2 and 3 join. Test classes share one through <see cref="Collection"/>; each test
/// works on tenants (or membership tables) of its own, and leaves the silos running.
/// </summary>
public sealed class ThreeSilos() : SiloClusterFixture(3)
{
    public const string Collection = "three silos";
}

[CollectionDefinition(ThreeSilos.Collection)]
public sealed class ThreeSilosCollection : ICollectionFixture<ThreeSilos>;
