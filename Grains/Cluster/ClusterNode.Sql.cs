using IceFire.Grains.Cluster.Sql;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    /// <summary>The routing of this silo's SQL sessions to their tenants' leaders, over this silo's cluster calls.</summary>
    internal SqlRouter CreateSqlRouter(ISqlLeaders leaders) =>
        new(NodeId, leaders, _rpc, _options.RequestTimeout, name => State.Tenants.TryGetValue(name, out var t) ? t.Replicas : []);

    /// <summary>The cluster's tenants' SQL databases for this silo's gateway, their sessions routed by <paramref name="router"/>.</summary>
    internal ClusterSqlTenants CreateSqlTenants(SqlRouter router) =>
        new(name => State.Tenants.TryGetValue(name, out var t) ? t : null, CheckPasswordAsync, router);
}
