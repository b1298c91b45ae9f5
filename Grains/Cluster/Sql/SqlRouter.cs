using System.Collections.Concurrent;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// What routed SQL sessions of this silo share: who leads each tenant, the cluster calls to the leaders' silos, the
/// time a statement may wait for a leader, and the renewal of the sessions this silo's clients hold on other silos.
/// Thread-safe.
/// </summary>
internal sealed class SqlRouter : IAsyncDisposable
{
    /// <summary>How often the sessions held on other silos are renewed; their lease there is several times longer.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan LeaderWatchInterval = TimeSpan.FromMilliseconds(100);

    private readonly INodeCalls _calls;
    private readonly Func<string, IReadOnlyList<ulong>> _replicasOf;
    private readonly ConcurrentDictionary<RemoteSqlSession, byte> _remote = new();
    private readonly Timer _keepAlive;

    /// <param name="self">This silo's node id.</param>
    /// <param name="leaders">Who leads each tenant, and this silo's leading replicas.</param>
    /// <param name="calls">Cluster calls to the other silos.</param>
    /// <param name="requestTimeout">How long a statement waits for its tenant to have a reachable leader.</param>
    /// <param name="replicasOf">The silos holding a tenant's replicas, asked in turn when no leader is known.</param>
    /// <param name="keepAliveInterval">How often remote sessions are renewed; <see cref="KeepAliveInterval"/> when null.</param>
    public SqlRouter(
        ulong self, ISqlLeaders leaders, INodeCalls calls, TimeSpan requestTimeout,
        Func<string, IReadOnlyList<ulong>>? replicasOf = null, TimeSpan? keepAliveInterval = null)
    {
        Self = self;
        Leaders = leaders;
        _calls = calls;
        RequestTimeout = requestTimeout;
        _replicasOf = replicasOf ?? (_ => []);
        var period = keepAliveInterval ?? KeepAliveInterval;
        _keepAlive = new Timer(_ => _ = RenewAsync(), null, period, period);
    }

    public ulong Self { get; }

    public ISqlLeaders Leaders { get; }

    public TimeSpan RequestTimeout { get; }

    /// <summary>The sessions this silo's clients hold on other silos.</summary>
    public int RemoteSessionCount => _remote.Count;

    /// <summary>Opens a session on <paramref name="tenant"/>'s leader, waiting up to <see cref="RequestTimeout"/> for one.</summary>
    /// <exception cref="TenantUnavailableException">No leader could be reached in time.</exception>
    public async ValueTask<ISqlSession> OpenSessionAsync(string tenant, SqlSessionOptions options, CancellationToken cancellationToken)
    {
        var session = new RoutedSqlSession(this, tenant, options);
        if (await session.ConnectAsync(cancellationToken).ConfigureAwait(false) is { } error)
        {
            throw new TenantUnavailableException(error.Message);
        }
        return session;
    }

    /// <summary>The silos to ask, in turn, when no leader of <paramref name="tenant"/> is known.</summary>
    internal IReadOnlyList<ulong> ReplicasOf(string tenant) => _replicasOf(tenant);

    internal void Register(RemoteSqlSession session) => _remote[session] = 0;

    internal void Forget(RemoteSqlSession session) => _remote.TryRemove(session, out _);

    /// <summary>A call given up after <paramref name="limit"/>; a timeout counts as sent, since the request may have run.</summary>
    internal async Task<TResult> CallAsync<TResult>(ulong node, Func<ISqlCalls, CancellationToken, Task<TResult>> call, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            return await Call(node, call, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NodeCallException(true, $"node {node} did not answer within {(long)limit.TotalMilliseconds} ms");
        }
    }

    /// <summary>
    /// A call with no time limit (a statement may run long), abandoned once <paramref name="tenant"/> is seen led by
    /// another silo: a partition can stall the connection to the old leader long after the majority moved on.
    /// </summary>
    internal async Task<TResult> CallWatchingLeaderAsync<TResult>(ulong node, string tenant, Func<ISqlCalls, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
    {
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Call(node, call, abandon.Token);
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(LeaderWatchInterval, CancellationToken.None)).ConfigureAwait(false);
            if (running.IsCompleted)
            {
                break;
            }
            var leader = Leaders.LeaderOf(tenant);
            if ((leader != 0 && leader != node) || Leaders.LocalLeader(tenant) is not null)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                break;
            }
        }
        try
        {
            return await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NodeCallException(true, $"node {node} stopped leading tenant {tenant} while the statement ran");
        }
    }

    /// <summary>
    /// Calls <paramref name="node"/>'s <see cref="ISqlCalls"/>, waiting no longer than <paramref name="cancellationToken"/>
    /// lets it: a call whose method takes no token (cancel, close, renewal) is left to Orleans' response timeout there.
    /// </summary>
    private Task<TResult> Call<TResult>(ulong node, Func<ISqlCalls, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken) =>
        _calls.CallAsync(node, call, cancellationToken).WaitAsync(cancellationToken);

    /// <summary>A call whose answer does not matter (cancel, close): bounded, and its failures ignored.</summary>
    internal async Task SendAsync<TResult>(ulong node, Func<ISqlCalls, CancellationToken, Task<TResult>> call)
    {
        try
        {
            await CallAsync(node, call, RequestTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NodeCallException or ObjectDisposedException)
        {
            // The session's lease on that silo ends it if this did not.
        }
    }

    /// <summary>Renews every remote session's lease; sessions their silo no longer knows are marked lost.</summary>
    private async Task RenewAsync()
    {
        var byNode = new Dictionary<ulong, List<RemoteSqlSession>>();
        foreach (var session in _remote.Keys)
        {
            if (!byNode.TryGetValue(session.Node, out var list))
            {
                byNode[session.Node] = list = [];
            }
            list.Add(session);
        }
        foreach (var (node, sessions) in byNode)
        {
            var ids = new ulong[sessions.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = sessions[i].Id;
            }
            try
            {
                var self = Self;
                var reply = await CallAsync(node, (target, _) => target.KeepAliveAsync(self, ids), RequestTimeout, CancellationToken.None).ConfigureAwait(false);
                var unknown = new HashSet<ulong>(reply.Unknown);
                foreach (var session in sessions)
                {
                    if (unknown.Contains(session.Id))
                    {
                        session.MarkLost($"node {node} no longer holds the session");
                    }
                }
            }
            catch (Exception e) when (e is NodeCallException or ObjectDisposedException)
            {
                // Unreachable now: the sessions' own calls find out; the next renewal tries again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _keepAlive.DisposeAsync().ConfigureAwait(false);
    }
}
