using System.Collections.Concurrent;
using System.Diagnostics;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>What every RESP connection of a silo shares: options, tenants, the client list, statistics.</summary>
public sealed class RespServer
{
    private long _nextClientId;
    private long _totalConnections;
    private long _totalCommands;
    private long _rejectedConnections;
    private int _connectedClients;
    private long _outputLimitDisconnections;
    private long _queryLimitDisconnections;

    /// <summary>Creates the state the connections of one silo share.</summary>
    /// <param name="options">Gateway settings.</param>
    /// <param name="tenants">The datasets connections reach, each with its own pub/sub namespace.</param>
    public RespServer(RespServerOptions options, ITenantDirectory tenants)
    {
        Options = options;
        Tenants = tenants;
        Limits = new ClientLimits(options.MaxBulkLength);
        Config = new ServerConfig(options, Limits);
        tenants.Dropped += OnTenantDropped;
    }

    private readonly CancellationTokenSource _stopping = new();

    public RespServerOptions Options { get; }

    /// <summary>Cancelled when the silo stops: connections finish the commands they hold, reply and close.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Asks every connection to finish its in-flight commands and close.</summary>
    public void Stop() => _stopping.Cancel();

    public ITenantDirectory Tenants { get; }

    internal ServerConfig Config { get; }

    /// <summary>Returns the memory of large buffers to the OS after bursts.</summary>
    internal MemoryReclaimer Reclaimer { get; } = new();

    /// <summary>Per-client limits (output and query buffers, maxclients, proto-max-bulk-len), changed by CONFIG SET.</summary>
    internal ClientLimits Limits { get; }

    internal ConcurrentDictionary<long, RespConnection> Clients { get; } = new();

    /// <summary>The gateway's instruments (commands by family, their duration).</summary>
    public RespMetrics Metrics { get; } = new();

    /// <summary>Connections open now (INFO connected_clients).</summary>
    public int ConnectedClients => Volatile.Read(ref _connectedClients);

    internal Stopwatch Uptime { get; } = Stopwatch.StartNew();

    internal long StartUnixSeconds { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public long TotalConnections => Interlocked.Read(ref _totalConnections);

    public long TotalCommands => Interlocked.Read(ref _totalCommands);

    internal long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Clients closed for passing a client-output-buffer-limit (INFO client_output_buffer_limit_disconnections).</summary>
    internal long OutputLimitDisconnections => Interlocked.Read(ref _outputLimitDisconnections);

    /// <summary>Clients closed for passing client-query-buffer-limit (INFO client_query_buffer_limit_disconnections).</summary>
    internal long QueryLimitDisconnections => Interlocked.Read(ref _queryLimitDisconnections);

    internal void CountOutputLimitDisconnection() => Interlocked.Increment(ref _outputLimitDisconnections);

    internal void CountQueryLimitDisconnection() => Interlocked.Increment(ref _queryLimitDisconnections);

    /// <summary>
    /// Admits a new connection unless maxclients are connected already (Redis counts the refusal in
    /// rejected_connections); the id is 0 for a refused connection.
    /// </summary>
    internal long TryRegister(RespConnection connection)
    {
        // A slot is taken before the check, so connections arriving at the same instant cannot pass maxclients together.
        if (Interlocked.Increment(ref _connectedClients) > Limits.MaxClients)
        {
            Interlocked.Decrement(ref _connectedClients);
            Interlocked.Increment(ref _rejectedConnections);
            return 0;
        }
        var id = Interlocked.Increment(ref _nextClientId);
        Interlocked.Increment(ref _totalConnections);
        Clients[id] = connection;
        return id;
    }

    internal void Unregister(long id)
    {
        if (Clients.TryRemove(id, out _))
        {
            Interlocked.Decrement(ref _connectedClients);
        }
    }

    /// <summary>The connections of a dropped tenant answer their next command with an error and close.</summary>
    private void OnTenantDropped(string tenant)
    {
        foreach (var client in Clients.Values)
        {
            client.OnTenantDropped(tenant);
        }
    }

    /// <summary>
    /// CONFIG GET of the parameters matching <paramref name="pattern"/> as tenant <paramref name="tenant"/> sees them
    /// (its own values of per-tenant ones), with secrets and paths when <paramref name="admin"/>.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> GetConfig(string tenant, bool admin, string pattern) =>
        Config.Match(System.Text.Encoding.UTF8.GetBytes(pattern), admin, Tenants.GetSettings(tenant));

    /// <summary>
    /// CONFIG SET of <paramref name="pairs"/> in tenant <paramref name="tenant"/>, all or none (as Redis 7): every pair is
    /// checked first; per-tenant parameters are then stored with the tenant (replicated in a cluster), server-wide ones,
    /// which only the <paramref name="admin"/> role may set, in this silo's table. Null on success, else Redis' error text.
    /// </summary>
    public async ValueTask<string?> SetConfigAsync(string tenant, bool admin, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var server = new List<KeyValuePair<string, string>>();
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, given) in pairs)
        {
            var value = given;
            if (Config.Check(name, ref value, admin) is { } error)
            {
                return error;
            }
            var canonical = Config.CanonicalName(name);
            Config.TryGetScope(canonical, out var scope);
            if ((scope & ConfigScope.Tenant) != 0)
            {
                own[canonical] = value;
            }
            else
            {
                server.Add(new KeyValuePair<string, string>(canonical, value));
            }
        }
        if (own.Count > 0)
        {
            try
            {
                if (!await Tenants.SetSettingsAsync(tenant, own))
                {
                    return $"ERR tenant '{tenant}' was dropped";
                }
            }
            catch (TenantUnavailableException e)
            {
                return e.Reply;
            }
        }
        foreach (var (name, value) in server)
        {
            Config.SetServerValue(name, value);
        }
        return null;
    }

    internal void CountCommands(int count) => Interlocked.Add(ref _totalCommands, count);

    internal void ResetStats()
    {
        Interlocked.Exchange(ref _totalCommands, 0);
        Interlocked.Exchange(ref _totalConnections, 0);
        Interlocked.Exchange(ref _rejectedConnections, 0);
        Interlocked.Exchange(ref _outputLimitDisconnections, 0);
        Interlocked.Exchange(ref _queryLimitDisconnections, 0);
    }
}
