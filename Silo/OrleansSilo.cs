using System.Net;
using System.Net.Sockets;
using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Membership;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Streams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Streams;

namespace IceFire.Silo;

/// <summary>
/// The Orleans silo in IceFire's host: its membership table is the system group's (no outside database), its failure
/// detector tells the cluster node which silos are active, and it carries the calls between silos
/// (<see cref="OrleansNodeCalls"/>). It starts after the node has joined the system group, since reading that table
/// needs a member of it, and stops before the node does.
/// </summary>
internal sealed class OrleansSilo(IServiceProvider services, Type siloService, OrleansNodeCalls calls, ClusterNode node) : IHostedService
{
    private readonly ClusterNode _node = node;
    private readonly CancellationTokenSource _stopping = new();
    private IHostedService? _silo;
    private Task? _watch;

    /// <summary>The Orleans silo's messaging port, for the start-up report.</summary>
    public int? Port { get; private set; }

    /// <summary>
    /// Why the silo stopped itself (the cluster declared it dead, or Orleans failed beyond repair), or null. The
    /// process then exits with <see cref="FailedExitCode"/>, so a supervisor (Kubernetes) starts it again and it
    /// rejoins with a new generation.
    /// </summary>
    public string? Failure { get; private set; }

    /// <summary>How long the Orleans silo may take to leave the cluster when this silo stops.</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    /// <summary>The exit code of a silo that stopped itself.</summary>
    public const int FailedExitCode = 3;

    /// <summary>
    /// Adds the silo to <paramref name="builder"/>'s services, started later by <see cref="StartSiloAsync"/>. The silo
    /// listens on <paramref name="bind"/>:<paramref name="port"/> (0 picks a free one) and other silos reach it at
    /// <paramref name="advertised"/>. It is named <paramref name="name"/>, else <c>node-ID</c>; with
    /// <paramref name="kubernetes"/>, after its pod, and Orleans' Kubernetes agent keeps pods and silos in step.
    /// </summary>
    public static void Add(IHostApplicationBuilder builder, ClusterNode node, OrleansNodeCalls calls, IPAddress bind, IPAddress advertised, int port,
        string? name = null, bool kubernetes = false)
    {
        if (port == 0)
        {
            // Orleans advertises the port it is given: take a free one now.
            using var probe = new TcpListener(bind, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        builder.UseOrleans(silo =>
        {
            silo.Services.AddSingleton(node);
            silo.Services.AddSingleton<IMembershipTable>(sp => new SystemGroupMembershipTable(node, sp.GetRequiredService<IOptions<ClusterOptions>>(), sp.GetRequiredService<ILocalSiloDetails>()));
            silo.Configure<ClusterOptions>(o =>
            {
                // Read when the silo starts, after the node joined: a new silo learns its cluster's id by joining.
                o.ClusterId = node.ClusterId ?? throw new InvalidOperationException("the Orleans silo started before the node joined its cluster");
                o.ServiceId = "icefire";
            });
            if (kubernetes)
            {
                // Names the silo after its pod (POD_NAME), labels the pod with the cluster's ids, and watches pods: a
                // deleted pod's silo is declared dead at once, and a silo with no pod is ended. The settings below
                // still decide the cluster id, ports and advertised address.
                silo.UseKubernetesHosting();
            }
            else
            {
                silo.Configure<Orleans.Configuration.SiloOptions>(o => o.SiloName = name ?? NodeNames.SiloName(node.NodeId));
            }
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = advertised;
                o.SiloPort = port;
                o.SiloListeningEndpoint = new IPEndPoint(bind, port);
                // No Orleans clients: the gateways run in this process.
                o.GatewayPort = 0;
            });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // A silo that stops answering is declared dead within a few seconds, and its tenants' groups elect anew.
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            });
            // Each tenant's committed entries, from the replica on this silo (Grains/Streams/STREAMS.md).
            silo.Services.AddKeyedSingleton<IStreamProvider>(TenantLogStreamProvider.ProviderName, (_, _) => new TenantLogStreamProvider(node.TenantLogOf));
            silo.AddGrainService<NodeService>();
            silo.Services.AddSingleton<NodeServiceClient>();
            silo.Services.AddSingleton<IFatalErrorHandler>(sp => new StopOnFatalError(sp));
        });
        // Started by StartSiloAsync once the node has joined, not with the host.
        var descriptor = builder.Services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == "Orleans.Hosting.SiloHostedService");
        builder.Services.Remove(descriptor);
        builder.Services.AddSingleton(sp => new OrleansSilo(sp, descriptor.ImplementationType!, calls, node) { Port = port });
        builder.Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<OrleansSilo>());
    }

    /// <summary>
    /// Why Orleans' Kubernetes hosting cannot run here, or null: it needs the API server's address, which Kubernetes
    /// gives every pod, and the pod's namespace (POD_NAMESPACE, or the service account's namespace file).
    /// </summary>
    public static string? KubernetesProblem()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
        {
            return "--kubernetes runs only in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set";
        }
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("POD_NAMESPACE"))
            && !File.Exists("/var/run/secrets/kubernetes.io/serviceaccount/namespace"))
        {
            return "--kubernetes needs the pod's namespace: set POD_NAMESPACE (fieldRef metadata.namespace) or mount a service account token";
        }
        return null;
    }

    /// <summary>The host starts the silo later (<see cref="StartSiloAsync"/>).</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Joins the Orleans cluster, then carries calls and watches which silos are active.</summary>
    public async Task StartSiloAsync(CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<IMembershipTable>() is SystemGroupMembershipTable table)
        {
            await DeclareGoneSilosDeadAsync(table, cancellationToken).ConfigureAwait(false);
        }
        var silo = (IHostedService)ActivatorUtilities.CreateInstance(services, siloService);
        _silo = silo;
        await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        var membership = services.GetRequiredService<IClusterMembershipService>();
        calls.Start(services.GetRequiredService<NodeServiceClient>(), membership, _node.NodeOfSilo);
        _watch = WatchAsync(membership, _stopping.Token);
    }

    /// <summary>
    /// Before joining, marks dead the rows of silos that are gone: this node's earlier silos, and other nodes' silos
    /// that no longer listen (a connection to their messaging port is refused) or have not written to the table for
    /// longer than Orleans itself allows. Orleans lets a silo join only once it has reached every silo the table holds
    /// active, and after a whole cluster stopped, the last silos to stop could not mark their own rows: without this,
    /// the silos that start again would wait for ones that never return. Waits as long as it takes for the system
    /// group to have a leader (a stopped cluster starts again one silo at a time, and none can read the table until a
    /// majority runs), saying what it waits for every <see cref="WaitReport"/>.
    /// </summary>
    private async Task DeclareGoneSilosDeadAsync(SystemGroupMembershipTable table, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        var staleAfter = options.IAmAliveTablePublishTimeout * options.NumMissedTableIAmAliveLimit;
        var reported = Environment.TickCount64;
        while (true)
        {
            try
            {
                await table.MarkDeadAsync(async row =>
                {
                    if (SystemGroupMembershipTable.NodeOf(row) == _node.NodeId)
                    {
                        return true;
                    }
                    if ((SiloStatus)row.Status != SiloStatus.Active)
                    {
                        return false;
                    }
                    var lastSeen = new DateTime(Math.Max(row.IAmAliveTicks, row.StartTimeTicks), DateTimeKind.Utc);
                    return DateTime.UtcNow - lastSeen > staleAfter || await RefusesConnectionsAsync(row.SiloAddress, cancellationToken).ConfigureAwait(false);
                }).WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MembershipTableUnavailableException e)
            {
                if (Environment.TickCount64 - reported >= (long)WaitReport.TotalMilliseconds)
                {
                    reported = Environment.TickCount64;
                    Console.WriteLine($"icefire: node {_node.NodeId}: waiting for a majority of the system group to read the membership table ({e.Message})");
                }
            }
        }
    }

    /// <summary>
    /// True when nothing listens at the silo's messaging endpoint: the connection is refused, so that silo's process is
    /// gone. A silo that cannot be reached at all (a partition, a host that is down) is not judged here; Orleans' own
    /// failure detector decides about it.
    /// </summary>
    private static async ValueTask<bool> RefusesConnectionsAsync(string siloAddress, CancellationToken cancellationToken)
    {
        var endpoint = SiloAddress.FromParsableString(siloAddress).Endpoint;
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            return false;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static readonly TimeSpan WaitReport = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Orleans' fatal errors, above all "this silo was declared dead" (the others could not reach it): the silo stops
    /// taking commands at once and then stops cleanly, data files closed, instead of Orleans' immediate process kill.
    /// Its replicas stay correct either way; Raft lets no cut-off silo commit.
    /// </summary>
    private sealed class StopOnFatalError(IServiceProvider services) : IFatalErrorHandler
    {
        public bool IsUnexpected(Exception exception) => exception is not ThreadAbortException;

        public void OnFatalException(object? sender, string? context, Exception? exception)
        {
            var silo = services.GetRequiredService<OrleansSilo>();
            if (silo.Failure is not null)
            {
                return;
            }
            silo.Failure = context ?? exception?.Message ?? "a fatal error";
            Console.Error.WriteLine($"icefire: node {silo._node.NodeId}: stopping: {silo.Failure}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
            services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }
    }

    /// <summary>Tells the node which nodes have an active silo, on every membership change.</summary>
    private async Task WatchAsync(IClusterMembershipService membership, CancellationToken stop)
    {
        var updates = membership.MembershipUpdates.GetAsyncEnumerator(stop);
        try
        {
            var next = updates.MoveNextAsync().AsTask();
            while (true)
            {
                var (active, complete) = calls.ActiveNodes();
                _node.ObserveActiveNodes(new HashSet<ulong>(active));
                if (!complete)
                {
                    // A silo Orleans reports active whose row has not reached this replica yet: look again shortly.
                    await Task.WhenAny(next, Task.Delay(UnresolvedRetry, stop)).ConfigureAwait(false);
                    stop.ThrowIfCancellationRequested();
                }
                if (next.IsCompleted || complete)
                {
                    if (!await next.ConfigureAwait(false))
                    {
                        return;
                    }
                    next = updates.MoveNextAsync().AsTask();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan UnresolvedRetry = TimeSpan.FromMilliseconds(200);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(false);
        }
        calls.Stop();
        if (_silo is not null)
        {
            // A graceful stop writes this silo's row (ShuttingDown, then Dead) to the membership table, which a silo cut
            // off from its cluster's majority cannot reach; it must not hold up the stop of the data files.
            try
            {
                await _silo.StopAsync(cancellationToken).WaitAsync(StopBound, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"icefire: node {_node.NodeId}: Orleans did not stop within {StopBound.TotalSeconds:0} s (the cluster cannot be reached); stopping without it");
            }
        }
    }
}
