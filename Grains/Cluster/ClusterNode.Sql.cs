using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster;

/// <summary>
/// SQL in a cluster: sessions opened on any silo run on the silo leading the tenant's group (<see cref="SqlRouter"/>),
/// and this silo hosts the sessions other silos open on the groups it leads (<see cref="SqlCallHandler"/>).
/// </summary>
public sealed partial class ClusterNode : ISqlLeaders
{
    private readonly object _sqlLock = new();
    private SqlRouter? _sqlRouter;
    private ClusterSqlTenants? _sqlTenants;

    /// <summary>The cluster's tenants' SQL databases, for this silo's SQL gateway.</summary>
    public ISqlTenantDirectory SqlTenants
    {
        get
        {
            lock (_sqlLock)
            {
                ObjectDisposedException.ThrowIf(_disposed != 0, this);
                _sqlRouter ??= CreateSqlRouter(this);
                return _sqlTenants ??= CreateSqlTenants(_sqlRouter);
            }
        }
    }

    /// <summary>Serves other silos' SQL session calls to this one (<see cref="Messaging.INodeService"/>).</summary>
    internal SqlCallHandler SqlCallHandler => _sqlCalls;

    /// <summary>The routing of this silo's SQL sessions, once <see cref="SqlTenants"/> was first asked for (for tests).</summary>
    internal SqlRouter? SqlRouter
    {
        get
        {
            lock (_sqlLock)
            {
                return _sqlRouter;
            }
        }
    }

    ISqlTenant? ISqlLeaders.LocalLeader(string tenant) =>
        LocalReplicaOf(tenant) is { } replica && replica.Tenant.IsLeader ? replica.Tenant.Sql : null;

    ulong ISqlLeaders.LeaderOf(string tenant) => LocalReplicaOf(tenant)?.Group.Leader ?? 0;

    ISqlTenant? ISqlLeaders.LocalReplica(string tenant) => LocalReplicaOf(tenant)?.Tenant.Sql;

    /// <summary>The routing of this silo's SQL sessions to their tenants' leaders, over this silo's cluster calls.</summary>
    internal SqlRouter CreateSqlRouter(ISqlLeaders leaders) =>
        new(NodeId, leaders, _calls, _options.RequestTimeout, name => State.Tenants.TryGetValue(name, out var t) ? t.Replicas : []);

    /// <summary>The cluster's tenants' SQL databases for this silo's gateway, their sessions routed by <paramref name="router"/>.</summary>
    internal ClusterSqlTenants CreateSqlTenants(SqlRouter router) =>
        new(name => State.Tenants.TryGetValue(name, out var t) ? t : null, CheckPasswordAsync, router, _options.PasswordIterations);

    private async ValueTask StopSqlAsync()
    {
        SqlRouter? router;
        lock (_sqlLock)
        {
            router = _sqlRouter;
            _sqlRouter = null;
        }
        if (router is not null)
        {
            await router.DisposeAsync().ConfigureAwait(false);
        }
        await _sqlCalls.DisposeAsync().ConfigureAwait(false);
    }
}
