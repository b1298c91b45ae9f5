using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

/// <summary>What every SQL connection of a silo shares: options, tenants, and the keys CancelRequest names.</summary>
public sealed class SqlServer
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, PgConnection> _connections = new();
    private int _nextProcessId;

    public SqlServer(SqlServerOptions options, ISqlTenantDirectory tenants)
    {
        Options = options;
        Tenants = tenants;
        if (!string.IsNullOrEmpty(options.RequirePass))
        {
            DefaultSecret = ScramSecret.FromPassword(Encoding.UTF8.GetBytes(options.RequirePass));
        }
    }

    public SqlServerOptions Options { get; }

    /// <summary>
    /// The scalar functions every session of <paramref name="tenant"/> gets (PostgreSQL's catalog functions clients
    /// call): a silo hosting sessions for gateways on other silos registers the same ones.
    /// </summary>
    public static IReadOnlyList<SqlScalarFunction> SessionFunctions(string tenant, string version) =>
        Dialect.PgCatalog.SessionOptions(tenant, version).Functions;

    public ISqlTenantDirectory Tenants { get; }

    /// <summary>The SCRAM verifier of requirepass; null when the default tenant needs no password.</summary>
    internal ScramSecret? DefaultSecret { get; }

    /// <summary>
    /// Cancelled when the silo stops: a running statement is stopped, and each connection ends with FATAL 57P01, as
    /// from PostgreSQL's fast shutdown.
    /// </summary>
    public CancellationToken Stopping => _stopping.Token;

    public void Stop() => _stopping.Cancel();

    /// <summary>The gateway's instruments.</summary>
    public SqlMetrics Metrics { get; } = new();

    /// <summary>The number of open SQL connections.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Registers a connection under a fresh process id and secret, the BackendKeyData a CancelRequest quotes.</summary>
    internal (int ProcessId, int Secret) Register(PgConnection connection)
    {
        var id = Interlocked.Increment(ref _nextProcessId);
        _connections[id] = connection;
        return (id, RandomNumberGenerator.GetInt32(int.MaxValue));
    }

    internal void Unregister(int processId) => _connections.TryRemove(processId, out _);

    /// <summary>Cancels the running statement of the connection with this key; a wrong secret does nothing, as in PostgreSQL.</summary>
    internal void Cancel(int processId, int secret)
    {
        if (_connections.TryGetValue(processId, out var connection) && connection.SecretKey == secret)
        {
            connection.CancelRunningStatement();
        }
    }
}
