using System.Collections.Concurrent;
using IceFire.Grains.Hosting;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Sql;

/// <summary>
/// The SQL databases of a single silo's tenants: each tenant's SQLite file lives in its data directory, beside its
/// LMDB environment (tenants/NAME/tables.sqlite), so dropping the tenant removes its tables too.
/// </summary>
public sealed class LocalSqlTenants : ISqlTenantDirectory, IDisposable
{
    /// <summary>The file name of a tenant's SQLite database inside its directory.</summary>
    public const string FileName = "tables.sqlite";

    private readonly TenantDirectory _tenants;
    private readonly ConcurrentDictionary<string, LocalSqlTenant> _open = new(StringComparer.Ordinal);
    private readonly ScramSecrets _secrets;

    public LocalSqlTenants(TenantDirectory tenants)
    {
        _tenants = tenants;
        _secrets = new ScramSecrets(tenants.PasswordIterations);
        tenants.Dropped += OnDropped;
    }

    public ISqlTenant? Find(string name)
    {
        if (_tenants.Find(name) is null)
        {
            return null;
        }
        return _open.GetOrAdd(name, n => new LocalSqlTenant(n, Path.Combine(_tenants.Data.TenantPath(n), FileName)));
    }

    /// <inheritdoc />
    /// <remarks>A tenant that does not exist gets a mock verifier, so SCRAM does not tell which tenants exist.</remarks>
    public ScramSecret? FindScramSecret(string name) =>
        _tenants.Find(name) is null ? _secrets.Mock(name) : _secrets.For(name, _tenants.Catalog.Find(name)?.Password);

    public ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password) => _tenants.CheckPasswordAsync(name, password);

    private void OnDropped(string name)
    {
        _secrets.Forget(name);
        if (_open.TryRemove(name, out var tenant))
        {
            tenant.Close();
        }
    }

    public void Dispose()
    {
        _tenants.Dropped -= OnDropped;
        foreach (var tenant in _open.Values)
        {
            tenant.Close();
        }
        _open.Clear();
    }
}
