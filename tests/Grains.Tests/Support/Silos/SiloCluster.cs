using IceFire.Grains.Cluster;
using IceFire.Raft;
using Orleans.TestingHost;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>
/// Several IceFire silos in this process, on an Orleans.TestingHost <see cref="TestCluster"/>: each silo is the
/// product's (<see cref="InProcessSilo"/>), Orleans membership is the system group's table (not the test cluster's),
/// and silos talk over loopback TCP, Orleans messaging and Raft alike. Node 1 founds the cluster; each later silo joins
/// through the silos already running, one at a time, as <c>icefire serve --seeds</c> would.
/// </summary>
public sealed partial class SiloCluster : IAsyncDisposable
{
    private readonly TempDirectory _temp = new("icefire-silos");
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ulong> _nodeIds = [];

    private SiloCluster(TestCluster orleans)
    {
        Orleans = orleans;
        orleans.CreateSiloAsync = CreateSiloAsync;
    }

    /// <summary>The Orleans test cluster: silo start, stop, kill and restart.</summary>
    public TestCluster Orleans { get; }

    /// <summary>The running silos, in node order.</summary>
    public IReadOnlyList<InProcessSilo> Silos =>
        Orleans.GetActiveSilos().Cast<InProcessSilo>().OrderBy(s => s.NodeId).ToList();

    /// <summary>The running silos' cluster nodes, in node order.</summary>
    public IReadOnlyList<ClusterNode> Nodes => Silos.Select(s => s.Node).ToList();

    /// <summary>The running silo of node <paramref name="nodeId"/>.</summary>
    public InProcessSilo this[ulong nodeId] => Silos.Single(s => s.NodeId == nodeId);

    /// <summary>The node that leads the system group.</summary>
    public ClusterNode SystemLeader => Nodes.Single(n => n.SystemGroup.Role == RaftRole.Leader);

    /// <summary>Starts <paramref name="silos"/> silos and waits until each votes in the system group and reaches every other.</summary>
    public static async Task<SiloCluster> StartAsync(int silos)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(silos, 1);
        var builder = new TestClusterBuilder(1);
        // Membership is the system group's table, which the silos' own wiring installs.
        builder.Options.UseTestClusterMembership = false;
        // A silo takes no Orleans clients (the gateways run inside it): tests reach grains through a silo's factory.
        builder.Options.InitializeClientOnDeploy = false;
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.ConfigureFileLogging = false;
        var cluster = new SiloCluster(builder.Build());
        try
        {
            // One silo on deploy, then one at a time: the test cluster would start its initial silos all at once, and a
            // silo joins through the silos already running.
            await cluster.Orleans.DeployAsync();
            for (var i = 1; i < silos; i++)
            {
                await cluster.Orleans.StartAdditionalSiloAsync(startAdditionalSiloOnNewPort: true);
            }
            await cluster.WaitUntilFormedAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts one more silo, which joins the cluster, and waits until every silo reaches it.</summary>
    public async Task<InProcessSilo> StartSiloAsync()
    {
        var silo = (InProcessSilo)await Orleans.StartAdditionalSiloAsync(startAdditionalSiloOnNewPort: true);
        await WaitUntilFormedAsync();
        return silo;
    }

    /// <summary>
    /// Stops node <paramref name="nodeId"/>'s silo gracefully and starts it again on its data directory (a new Orleans
    /// generation, the same node), then waits until every silo reaches it.
    /// </summary>
    public async Task<InProcessSilo> RestartAsync(ulong nodeId)
    {
        var silo = (InProcessSilo)(await Orleans.RestartSiloAsync(this[nodeId]))!;
        await WaitUntilFormedAsync();
        return silo;
    }

    /// <summary>
    /// Stops node <paramref name="nodeId"/>'s silo as near to a crash as one process allows: its Orleans silo stops
    /// without leaving the cluster gracefully, then its node closes the cluster port and its replicas. (kill -9 and
    /// partitions belong to the real-process harness, tests/Silo.Tests/Infrastructure.)
    /// </summary>
    public Task KillAsync(ulong nodeId) => Orleans.KillSiloAsync(this[nodeId]);

    /// <summary>
    /// Waits until every running silo votes in the system group and knows its leader, and every silo's calls reach
    /// every other silo's node (Orleans holds it active and its row names its node).
    /// </summary>
    public async Task WaitUntilFormedAsync(TimeSpan? timeout = null)
    {
        var silos = Silos;
        var nodes = silos.Select(s => s.NodeId).ToHashSet();
        await Eventually.WaitUntilAsync(
            () => silos.All(s => s.Node.SystemGroup.Config.Voters.Count == silos.Count && s.Node.SystemGroup.Leader != 0),
            $"all {silos.Count} silos to vote in the system group and know its leader", timeout ?? TimeSpan.FromSeconds(30));
        await Eventually.WaitUntilAsync(
            () => silos.All(s => s.ActiveNodes() is { Complete: true } active && active.Nodes.ToHashSet().SetEquals(nodes)),
            $"every silo to reach nodes {string.Join(", ", nodes)} through Orleans", timeout ?? TimeSpan.FromSeconds(30));
    }

    private async Task<SiloHandle> CreateSiloAsync(string name, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ulong nodeId;
        lock (_lock)
        {
            // A restarted silo keeps its name, so its node id and data directory.
            if (!_nodeIds.TryGetValue(name, out nodeId))
            {
                nodeId = (ulong)_nodeIds.Count + 1;
                _nodeIds[name] = nodeId;
            }
        }
        var seeds = Orleans.GetActiveSilos().Cast<InProcessSilo>().Where(s => s.NodeId != nodeId).Select(s => s.ClusterAddress).ToList();
        var siloPort = int.Parse(configuration["Orleans:Endpoints:SiloPort"]!, System.Globalization.CultureInfo.InvariantCulture);
        return await InProcessSilo.StartAsync(name, nodeId, _temp.Sub($"node{nodeId}"), siloPort, seeds, bootstrap: nodeId == 1);
    }

    /// <summary>
    /// Stops the Orleans silos one at a time, without leaving the cluster gracefully, while every node still runs, then
    /// the nodes: even so an Orleans silo writes its row Dead, which takes a majority of the system group, and silos
    /// writing the table at once lose etag races and back off for seconds.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Orleans.GetActiveSilos().Cast<InProcessSilo>().Reverse().ToList())
        {
            await silo.StopOrleansAsync(gracefully: false);
        }
        await Orleans.DisposeAsync();
        _temp.Dispose();
    }
}
