using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// The SQL databases of a cluster's tenants as a gateway on one silo sees them: every tenant the cluster state names
/// (and <c>default</c>, before the state arrives too), each reached through <see cref="RoutedSqlTenant"/>.
/// </summary>
internal sealed class ClusterSqlTenants : ISqlTenantDirectory
{
    private readonly Func<string, TenantPlacementInfo?> _findTenant;
    private readonly Func<string, ReadOnlyMemory<byte>, ValueTask<bool>> _checkPassword;
    private readonly SqlRouter _router;
    private readonly ConcurrentDictionary<string, RoutedSqlTenant> _tenants = new(StringComparer.Ordinal);
    private readonly ScramSecrets _secrets = new();

    /// <param name="findTenant">The tenant as the cluster state places it, or null (ClusterNode: <c>State.Tenants</c>).</param>
    /// <param name="checkPassword">Checks a tenant's password (ClusterNode's <see cref="ITenantDirectory.CheckPasswordAsync"/>).</param>
    /// <param name="router">Routes the tenants' sessions to their leaders.</param>
    public ClusterSqlTenants(Func<string, TenantPlacementInfo?> findTenant, Func<string, ReadOnlyMemory<byte>, ValueTask<bool>> checkPassword, SqlRouter router)
    {
        _findTenant = findTenant;
        _checkPassword = checkPassword;
        _router = router;
    }

    public ISqlTenant? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name != ITenantDirectory.DefaultTenant && _findTenant(name) is null)
        {
            // Dropped tenants leave no handle behind to hand out again.
            _tenants.TryRemove(name, out _);
            return null;
        }
        return _tenants.GetOrAdd(name, n => new RoutedSqlTenant(_router, n));
    }

    public ScramSecret? FindScramSecret(string name) => _secrets.For(name, _findTenant(name)?.Password);

    public ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password) => _checkPassword(name, password);
}
