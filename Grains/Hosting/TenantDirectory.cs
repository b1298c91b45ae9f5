using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tenants;

namespace IceFire.Grains.Hosting;

/// <summary>
/// The silo's activation table for tenants: one <see cref="TenantGrain"/> per tenant, opened from the data
/// directory. This build serves the <c>default</c> tenant.
/// </summary>
public sealed class TenantDirectory : ITenantDirectory, IDisposable
{
    private readonly ConcurrentDictionary<string, TenantGrain> _tenants = new(StringComparer.Ordinal);

    private TenantDirectory(DataDirectory data)
    {
        Data = data;
    }

    public DataDirectory Data { get; }

    /// <summary>Opens every tenant of <paramref name="data"/>, creating <c>default</c> in a new directory.</summary>
    /// <exception cref="DataDirectoryException">A tenant's files are missing or damaged; nothing was written to them.</exception>
    public static TenantDirectory Open(DataDirectory data, TenantOptions options)
    {
        var directory = new TenantDirectory(data);
        var name = ITenantDirectory.DefaultTenant;
        var path = data.TenantPath(name);
        try
        {
            directory._tenants[name] = TenantGrain.Open(name, path, options, create: data.IsNew || !Directory.Exists(path) && IsEmptyOfTenants(data));
        }
        catch (StorageCorruptionException e)
        {
            throw new DataDirectoryException($"tenant '{name}' in {path} is damaged: {e.Message}; refusing to start", e);
        }
        catch (LmdbException e)
        {
            throw new DataDirectoryException($"tenant '{name}' in {path} cannot be opened: {e.Message}; refusing to start", e);
        }
        return directory;
    }

    private static bool IsEmptyOfTenants(DataDirectory data)
    {
        var tenants = Path.Combine(data.Path, "tenants");
        return !Directory.Exists(tenants) || !Directory.EnumerateFileSystemEntries(tenants).Any();
    }

    public ITenantGrain? Find(string name) => _tenants.TryGetValue(name, out var grain) ? grain : null;

    /// <summary>Closes every tenant after its queued writes are durable.</summary>
    public void Dispose()
    {
        foreach (var grain in _tenants.Values)
        {
            grain.Dispose();
        }
        _tenants.Clear();
    }
}
