using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>A tenant's SQL database as a gateway on any silo sees it: sessions run on the leader of its group.</summary>
internal sealed class RoutedSqlTenant(SqlRouter router, string name) : ISqlTenant
{
    public string Name => name;

    /// <inheritdoc />
    /// <exception cref="Interfaces.TenantUnavailableException">No leader could be reached within the request timeout.</exception>
    public ValueTask<ISqlSession> OpenSessionAsync(SqlSessionOptions options, CancellationToken cancellationToken) =>
        router.OpenSessionAsync(name, options, cancellationToken);
}
