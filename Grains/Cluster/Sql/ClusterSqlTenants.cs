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
    private readonly ScramSecrets _secrets;

    /// <param name="findTenant">The tenant as the cluster state places it, or null (ClusterNode: <c>State.Tenants</c>).</param>
    /// <param name="checkPassword">Checks a tenant's password (ClusterNode's <see cref="ITenantDirectory.CheckPasswordAsync"/>).</param>
    /// <param name="router">Routes the tenants' sessions to their leaders.</param>
    /// <param name="passwordIterations">The iteration count of new tenants' hashes.</param>
    public ClusterSqlTenants(
        Func<string, TenantPlacementInfo?> findTenant, Func<string, ReadOnlyMemory<byte>, ValueTask<bool>> checkPassword, SqlRouter router, int passwordIterations)
    {
        _secrets = new ScramSecrets(passwordIterations);
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

    /// <inheritdoc />
    /// <remarks>A tenant that does not exist gets a mock verifier, so SCRAM does not tell which tenants exist.</remarks>
    public ScramSecret? FindScramSecret(string name) =>
        name != ITenantDirectory.DefaultTenant && _findTenant(name) is null ? _secrets.Mock(name) : _secrets.For(name, _findTenant(name)?.Password);

    public ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password) => _checkPassword(name, password);
}
