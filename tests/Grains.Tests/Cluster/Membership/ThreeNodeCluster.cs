using System.Net;
using System.Net.Sockets;
using IceFire.Grains.Cluster;
using IceFire.Grains.Hosting;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;

namespace IceFire.Grains.Tests.Cluster.Membership;

/// <summary>Three ClusterNodes in this process, each with a cluster port on loopback; node 1 founds, 2 and 3 join through it.</summary>
internal sealed class ThreeNodeCluster : IAsyncDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<(TcpListener Listener, DataDirectory Data, ClusterNode Node, Task Accepting)> _silos = [];
    private readonly CancellationTokenSource _stop = new();

    public IReadOnlyList<ClusterNode> Nodes => _silos.Select(s => s.Node).ToList();

    public static async Task<ThreeNodeCluster> StartAsync()
    {
        var cluster = new ThreeNodeCluster();
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var addresses = listeners.Select(l => $"127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}").ToList();
        for (var i = 0; i < 3; i++)
        {
            var data = DataDirectory.Open(cluster._temp.Sub($"node{i + 1}"));
            var node = new ClusterNode(new ClusterNodeOptions
            {
                NodeId = (ulong)(i + 1),
                Data = data,
                ClusterAddress = addresses[i],
                Bootstrap = i == 0,
                Seeds = i == 0 ? [] : [addresses[0]],
                TickInterval = TimeSpan.FromMilliseconds(20),
            });
            cluster._silos.Add((listeners[i], data, node, AcceptLoopAsync(listeners[i], node, cluster._stop.Token)));
        }
        foreach (var node in cluster.Nodes)
        {
            await node.StartAsync(CancellationToken.None);
        }
        await Eventually.WaitUntilAsync(
            () => cluster.Nodes.All(n => n.SystemGroup.Config.Voters.Count == 3 && n.SystemGroup.Leader != 0),
            "all three silos to vote in the system group and know its leader", TimeSpan.FromSeconds(30));
        return cluster;
    }

    public ClusterNode Leader => Nodes.Single(n => n.SystemGroup.Role == RaftRole.Leader);

    private static async Task AcceptLoopAsync(TcpListener listener, ClusterNode node, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => node.AcceptAsync(new NetworkStream(socket, ownsSocket: true)), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var (listener, data, node, accepting) in _silos)
        {
            listener.Stop();
            await accepting;
            await node.DisposeAsync();
            data.Dispose();
        }
        _stop.Dispose();
        _temp.Dispose();
    }
}
