using System.Collections.Concurrent;
using System.Net;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Streams;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using IceFire.Raft.Storage;
using IceFire.Raft.Transport;
using Microsoft.Extensions.Logging;

namespace IceFire.Grains.Cluster;

/// <summary>
/// A silo as a member of a cluster (CLUSTER.md): it runs its replica of the system group (membership and the tenant
/// table), the replicas of the tenants placed on it, and serves every tenant to its gateways, forwarding commands to
/// the silo that leads the tenant's group when that is not this one.
/// </summary>
/// <remarks>
/// The silo hands every connection accepted on its cluster port to <see cref="AcceptAsync"/>: system requests (joins,
/// membership table calls) and Raft traffic share the port. Calls between silos (forwarded commands, SQL sessions,
/// status) are grain calls through <see cref="ClusterNodeOptions.Calls"/>. Start with <see cref="StartAsync"/> once the
/// port accepts, since joining needs the leader to reach this silo.
/// </remarks>
public sealed partial class ClusterNode : IAsyncDisposable
{
    private static readonly TimeSpan ReconcileInterval = TimeSpan.FromMilliseconds(250);
    private readonly ClusterNodeOptions _options;
    private readonly ILogger _logger;
    private readonly TcpTransport _transport;
    private readonly RaftHost _host;
    private readonly INodeCalls _calls;
    private readonly TenantCallHandler _tenantCalls;
    private readonly SqlCallHandler _sqlCalls;
    private readonly SystemStateMachine _machine;
    private readonly RaftGroup _system;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _reconcileSignal = new(0, 1);
    private ClusterIdentity? _identity;
    private Task? _loop;
    private ulong _systemSequence = (ulong)DateTime.UtcNow.Ticks;
    private int _disposed;

    /// <summary>Opens this silo's replica of the system group; nothing is sent until <see cref="StartAsync"/>.</summary>
    /// <exception cref="DataDirectoryException">The data directory belongs to another node or its cluster files are damaged.</exception>
    public ClusterNode(ClusterNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NodeId == 0)
        {
            throw new ArgumentException("node id 0 is reserved; ids start at 1", nameof(options));
        }
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<ClusterNode>();
        _liveness = new MemberLiveness(options.NodeId);
        _identity = ClusterIdentity.Load(options.Data);
        if (_identity is not null && _identity.NodeId != options.NodeId)
        {
            throw new DataDirectoryException(
                $"the data directory {options.Data.Path} belongs to node {_identity.NodeId} of cluster {_identity.ClusterId}, not node {options.NodeId}; refusing to start");
        }
        if (HoldsSingleSiloData)
        {
            if (_identity is null && !options.Bootstrap)
            {
                throw new DataDirectoryException(
                    $"{options.Data.Path} holds a single silo's data; joining another cluster with it is not supported: start it without --seeds to keep serving it, or give this silo an empty data directory");
            }
            // Read before anything is written: a damaged catalog stops the start with the directory as it was.
            SingleSiloCatalog.Read(SingleSiloCatalogPath);
        }
        _pubSubs = options.PubSubs ?? (_ => new LocalPubSub());
        _machine = new SystemStateMachine(options.NodeId);
        _machine.Changed += state =>
        {
            ApplyTenantSettings(state);
            Signal();
        };
        RaftHost? host = null;
        _transport = new TcpTransport(options.NodeId, null, (group, message) => host!.Deliver(group, message));
        _host = host = new RaftHost(new RaftHostOptions
        {
            NodeId = options.NodeId,
            TickInterval = options.TickInterval,
            SnapshotEveryEntries = options.SnapshotEveryEntries,
        }, _transport);
        _transport.PeerDisconnected += _host.ReportUnreachable;
        _calls = options.Calls ?? NoNodeCalls.Instance;
        _tenantCalls = new TenantCallHandler(name => _replicas.TryGetValue(name, out var r) ? r.Tenant : null);
        _sqlCalls = new SqlCallHandler(this, options.SqlFunctions);
        ClusterTarget = new ClusterCallTarget(this);
        Publishes = new PublishRelay(NodeId, _calls, _logger);
        var systemDir = Path.Combine(options.Data.Path, "cluster", "system");
        var founding = _identity is null && options.Bootstrap && !Directory.Exists(systemDir);
        var storage = FileRaftStorage.Open(systemDir, founding ? new ConfState([options.NodeId], []) : ConfState.Empty);
        _system = _host.AddGroup(ClusterState.SystemGroup, RaftOptionsFor(), storage, _machine);
        Founding = founding;
    }

    /// <summary>This silo's id.</summary>
    public ulong NodeId => _options.NodeId;

    /// <summary>True when this start founds a new cluster (bootstrap with no cluster in the data directory).</summary>
    public bool Founding { get; }

    /// <summary>The system group's state as this silo last applied it.</summary>
    public ClusterState State => _machine.State;

    /// <summary>The cluster's id once known.</summary>
    public string? ClusterId => _identity?.ClusterId;

    private RaftOptions RaftOptionsFor() => new()
    {
        ElectionTicks = 10,
        HeartbeatTicks = 1,
        // Idle groups stop heartbeating after 3 seconds, so thousands of quiet tenants cost little.
        QuiesceAfterTicks = 30,
    };

    /// <summary>
    /// Joins the cluster (or founds it with <see cref="ClusterNodeOptions.Bootstrap"/>), then keeps membership and this
    /// silo's replicas in step with the system group. Completes once this silo knows the cluster's state.
    /// </summary>
    /// <exception cref="ClusterJoinException">The seeds belong to another cluster, or none answered before <paramref name="cancellationToken"/>.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the groups run (an election writes the system group's log): a damaged tables file stops the start
        // with the data directory exactly as it was.
        CheckLocalTables();
        _transport.Start();
        _host.Start();
        Task? rejoin = null;
        if (Founding)
        {
            await FoundAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (_identity is null)
        {
            await JoinAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            ClusterNodeLog.Restarting(_logger, NodeId, _identity.ClusterId, _options.Data.Path);
            LoadPeers();
            if (NoPeersKnown && !OtherSeeds().Any())
            {
                // A cluster of one: no other voter can time out first, so no need to wait out an election timeout.
                _system.Campaign();
            }
            foreach (var seed in OtherSeeds())
            {
                // Seeds of another cluster mean a mistake in the deployment: refuse rather than serve two clusters' data.
                var answer = await TryJoinThroughAsync(seed, cancellationToken).ConfigureAwait(false);
                if (answer is { Status: Wire.JoinResponseProto.Types.Status.WrongCluster })
                {
                    throw new ClusterJoinException(answer.Message);
                }
                if (answer is not null)
                {
                    break;
                }
            }
            UpdatePeers(State);
            // Addresses may have changed (a rescheduled pod): tell the cluster, without holding up the start.
            rejoin = Task.Run(() => RejoinAsync(_stop.Token), CancellationToken.None);
        }
        // Before any replica opens: a single silo's tenants move to where their replicas live.
        await AdoptSingleSiloDataAsync(cancellationToken).ConfigureAwait(false);
        await WaitForAsync(() => State.IsBorn, "the cluster state", cancellationToken).ConfigureAwait(false);
        if (rejoin is not null && State.Members.Count == 1)
        {
            // Alone, this silo answers the joins of others: its own address (a cluster port opened on this start) must
            // be in the state before it is ready, or a silo joining through it would learn none.
            await rejoin.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        // This silo's replicas open before it reports ready; a damaged one stops the start (DataDirectoryException).
        try
        {
            await ReconcileReplicasAsync(State, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (DataDirectoryException or OperationCanceledException))
        {
            ClusterNodeLog.OpeningReplicasFailed(_logger, NodeId, e.Message);
        }
        _loop = Task.Run(() => ReconcileLoopAsync(_stop.Token), CancellationToken.None);
        Signal();
    }

    /// <summary>Serves a connection accepted on the cluster port: a system request or a Raft link.</summary>
    public async Task AcceptAsync(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[4];
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await stream.ReadExactlyAsync(prefix, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or EndOfStreamException or ObjectDisposedException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        if (prefix.AsSpan().SequenceEqual(SystemRequests.Magic))
        {
            await SystemRequests.ServeAsync(stream, HandleSystemRequestAsync, TimeSpan.FromSeconds(5), _stop.Token).ConfigureAwait(false);
            return;
        }
        await _transport.AcceptConnectionAsync(new PrefixedStream(prefix, stream)).ConfigureAwait(false);
    }

    private void Signal()
    {
        try
        {
            if (_reconcileSignal.CurrentCount == 0)
            {
                _reconcileSignal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WaitForAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var reported = DateTime.UtcNow;
        while (!condition())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow - reported > TimeSpan.FromSeconds(5))
            {
                ClusterNodeLog.StillWaiting(_logger, NodeId, what);
                reported = DateTime.UtcNow;
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReconcileLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _reconcileSignal.WaitAsync(ReconcileInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                var state = State;
                UpdatePeers(state);
                await ReconcileReplicasAsync(state, stop).ConfigureAwait(false);
                await DriveMembershipAsync(state, stop).ConfigureAwait(false);
                await WatchLivenessAsync(state, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ClusterNodeLog.ReconcileFailed(_logger, NodeId, e.Message);
            }
        }
    }

    private async Task<Wire.SystemResponseProto> HandleSystemRequestAsync(Wire.SystemRequestProto request, CancellationToken cancellationToken) => request.RequestCase switch
    {
        Wire.SystemRequestProto.RequestOneofCase.Join => new() { Join = await AnswerJoinAsync(request.Join, cancellationToken).ConfigureAwait(false) },
        Wire.SystemRequestProto.RequestOneofCase.Membership => new() { Membership = await AnswerMembershipAsync(request.Membership, cancellationToken).ConfigureAwait(false) },
        _ => new(),
    };

    /// <summary>Serves other silos' calls about the cluster itself.</summary>
    internal IClusterCalls ClusterTarget { get; }

    /// <summary>Parses host:port into an address, or a DNS name to resolve.</summary>
    internal static EndPoint ParseEndPoint(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{address}' is not host:port");
        }
        var host = address[..colon].Trim('[', ']');
        return IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
    }

    /// <summary>Leaves: stops the groups and closes every replica (their queued writes finish first).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        await StopSqlAsync().ConfigureAwait(false);
        await Publishes.DisposeAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        await _host.DisposeAsync().ConfigureAwait(false);
        foreach (var replica in _replicas.Values)
        {
            replica.Tenant.Dispose();
        }
        _replicas.Clear();
        _stop.Dispose();
    }
}

/// <summary>A silo could not join its cluster.</summary>
public sealed class ClusterJoinException(string message) : Exception(message);
