using System.Collections.Concurrent;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

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
    private readonly ConcurrentDictionary<string, (PasswordHash Hash, ScramSecret Secret)> _secrets = new(StringComparer.Ordinal);

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

    public ScramSecret? FindScramSecret(string name)
    {
        if (name == ITenantDirectory.DefaultTenant ||
            _findTenant(name)?.Password is not { Algorithm: TenantPassword.Pbkdf2Sha256 } stored ||
            stored.Hash.Length != 32)
        {
            return null;
        }
        // The stored hash is PBKDF2-HMAC-SHA256(password, salt, iterations): SCRAM's SaltedPassword (RFC 5802).
        if (_secrets.TryGetValue(name, out var known) && ReferenceEquals(known.Hash, stored))
        {
            return known.Secret;
        }
        var secret = ScramSecret.FromSaltedPassword(stored.Salt, stored.Iterations, stored.Hash);
        _secrets[name] = (stored, secret);
        return secret;
    }

    public ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password) => _checkPassword(name, password);
}
