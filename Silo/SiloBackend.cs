using System.Net;
using System.Net.Sockets;
using IceFire.Gateway.Sql;
using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Hosting;
using IceFire.Grains.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IceFire.Silo;

/// <summary>
/// A silo's membership of its cluster (of one, when no cluster option is given): its cluster node, the cluster port
/// that carries Raft and system requests, and the Orleans silo that carries the calls between silos. The executable
/// runs one beside its gateways; the in-process test cluster runs several, wired the same way.
/// </summary>
internal sealed class SiloBackend : IAsyncDisposable
{
    private readonly Func<Task> _stopListening;

    private SiloBackend(ClusterNode node, OrleansNodeCalls calls, ClusterNodeOptions clusterOptions, Func<Task> stopListening, int? clusterPort)
    {
        Node = node;
        Calls = calls;
        ClusterOptions = clusterOptions;
        _stopListening = stopListening;
        ClusterPort = clusterPort;
    }

    /// <summary>This silo's cluster node.</summary>
    public ClusterNode Node { get; }

    /// <summary>The node's calls to other silos, carried by the Orleans silo once it runs.</summary>
    public OrleansNodeCalls Calls { get; }

    /// <summary>The node's settings (its RESP and admin addresses may be set until it starts).</summary>
    public ClusterNodeOptions ClusterOptions { get; }

    /// <summary>The bound cluster port, or null for a cluster of one that other silos cannot reach.</summary>
    public int? ClusterPort { get; }

    /// <summary>Where the Orleans silo listens (set by <see cref="AddOrleans"/>).</summary>
    public IPAddress? SiloBind { get; private set; }

    /// <summary>Where other silos reach the Orleans silo (set by <see cref="AddOrleans"/>).</summary>
    public IPAddress? SiloAdvertised { get; private set; }

    /// <summary>
    /// Opens this silo's replica of the system group and, when the silo is to be reachable by other silos, binds its
    /// cluster port (first: joining needs the cluster's leader to reach this silo). A silo started with no cluster
    /// option is a cluster of one with no cluster port.
    /// </summary>
    public static SiloBackend Open(SiloOptions options, DataDirectory data, TenantOptions tenantOptions, ILoggerFactory loggerFactory)
    {
        var listening = options.ListensForPeers(data.Path);
        TcpListener? listener = null;
        int? clusterPort = null;
        if (listening)
        {
            listener = new TcpListener(SiloProgram.ParseAddress(options.Bind), options.EffectiveClusterPort);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                listener.Start(backlog: 512);
            }
            catch (SocketException e)
            {
                throw new IOException($"cannot listen on {options.Bind}:{options.EffectiveClusterPort} (cluster port): {e.Message}", e);
            }
            clusterPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var calls = new OrleansNodeCalls();
        var clusterOptions = new ClusterNodeOptions
        {
            Calls = calls,
            NodeId = options.ResolveNodeId(),
            Data = data,
            ClusterAddress = clusterPort is { } bound ? $"{options.AdvertisedHost()}:{bound}" : "",
            Seeds = options.Seeds,
            // Alone, a silo founds its cluster of one on first start.
            Bootstrap = options.Bootstrap || !listening,
            ReplicationFactor = options.ReplicationFactor,
            ReplicaMoveAfter = options.ReplicaMoveAfter,
            SnapshotEveryEntries = options.SnapshotEvery,
            Tenant = tenantOptions,
            SqlFunctions = tenant => SqlServer.SessionFunctions(tenant, SiloProgram.Version),
            LoggerFactory = loggerFactory,
        };
        ClusterNode node;
        try
        {
            node = new ClusterNode(clusterOptions);
        }
        catch
        {
            listener?.Stop();
            throw;
        }
        var accepting = listener is null ? Task.CompletedTask : AcceptClusterConnectionsAsync(listener, node);
        return new SiloBackend(node, calls, clusterOptions, async () =>
        {
            listener?.Stop();
            await accepting;
        }, clusterPort);
    }

    /// <summary>
    /// Decides where the Orleans silo listens and where other silos reach it: the bind address and the advertised host
    /// of <paramref name="options"/> when other silos reach this one, else loopback, where no other silo reaches it.
    /// </summary>
    /// <exception cref="SocketException">The advertised host does not resolve.</exception>
    public void ResolveSiloAddresses(SiloOptions options)
    {
        SiloBind = ClusterPort is null ? IPAddress.Loopback : SiloProgram.ParseAddress(options.Bind);
        SiloAdvertised = ClusterPort is null ? IPAddress.Loopback : AdvertisedAddress(options.AdvertisedHost());
    }

    /// <summary>
    /// Adds this silo's Orleans silo to <paramref name="builder"/>, on the messaging port of <paramref name="options"/>
    /// and the addresses <see cref="ResolveSiloAddresses"/> chose; <see cref="StartAsync"/> starts it.
    /// </summary>
    public void AddOrleans(IHostApplicationBuilder builder, SiloOptions options)
    {
        if (SiloBind is null || SiloAdvertised is null)
        {
            ResolveSiloAddresses(options);
        }
        OrleansSilo.Add(builder, Node, Calls, SiloBind!, SiloAdvertised!, ClusterPort is null ? 0 : options.EffectiveSiloPort,
            options.SiloName, options.Kubernetes);
    }

    /// <summary>
    /// Joins (or founds) the cluster, then starts the Orleans silo of the host whose <paramref name="services"/> these
    /// are: reading the membership table needs a member of the system group.
    /// </summary>
    public async Task StartAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await Node.StartAsync(cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<OrleansSilo>().StartSiloAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the cluster port, then leaves: the node's groups stop and its replicas close.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopListening().ConfigureAwait(false);
        await Node.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task AcceptClusterConnectionsAsync(TcpListener listener, ClusterNode node)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            socket.NoDelay = true;
            _ = node.AcceptAsync(new NetworkStream(socket, ownsSocket: true));
        }
    }

    /// <summary>The address other silos reach this one at: <paramref name="host"/> itself, or what its name resolves to.</summary>
    /// <exception cref="SocketException">The name does not resolve.</exception>
    private static IPAddress AdvertisedAddress(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }
}
