using IceFire.Grains.Cluster;
using IceFire.Grains.Hosting;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Membership;

/// <summary>A silo running as a cluster of one (no cluster port), shared by a test class; each test uses its own Orleans cluster id.</summary>
public sealed class SingleNodeCluster : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private DataDirectory? _data;

    public ClusterNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _data = DataDirectory.Open(_temp.Sub("data"));
        Node = new ClusterNode(new ClusterNodeOptions { NodeId = 1, Data = _data, ClusterAddress = "", Bootstrap = true });
        await Node.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _data?.Dispose();
        _temp.Dispose();
    }
}
