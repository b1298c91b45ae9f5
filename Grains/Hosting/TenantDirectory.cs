using System.Collections.Concurrent;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Streams;
using IceFire.Grains.Tenants;

namespace IceFire.Grains.Hosting;

/// <summary>What a tenant create or drop came to.</summary>
public enum TenantChangeStatus
{
    /// <summary>The tenant was created or dropped.</summary>
    Done = 0,

    /// <summary>The name breaks <see cref="TenantName"/>'s rule.</summary>
    InvalidName = 1,

    /// <summary>Create: a tenant of that name exists.</summary>
    Exists = 2,

    /// <summary>Drop: there is no tenant of that name.</summary>
    NotFound = 3,

    /// <summary>Drop: <c>default</c> cannot be dropped.</summary>
    Protected = 4,
}

/// <summary>
/// The silo's activation table for tenants: one <see cref="TenantGrain"/> and one pub/sub namespace per tenant
/// listed in the <see cref="ITenantCatalog"/>, each dataset in its own LMDB environment under
/// <c>tenants/NAME/</c> of the data directory.
/// </summary>
/// <remarks>
/// The catalog decides which tenants exist. Create opens the new environment first and then adds the catalog
/// record; drop removes the record first and then closes the grain and deletes its directory. A crash in
/// between leaves a directory the catalog does not list, which the next start removes: it belongs to a create
/// that was never acknowledged or a drop that was.
/// </remarks>
public sealed class TenantDirectory : ITenantDirectory, ITenantAdmin, IDisposable
{
    private readonly ConcurrentDictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<string, string> NoSettings = new Dictionary<string, string>();

    private readonly PasswordVerifier _verifier;
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly TenantOptions _options;
    private readonly Func<string, IPubSub> _pubSubs;
    private readonly int _passwordIterations;

    private TenantDirectory(DataDirectory data, ITenantCatalog catalog, TenantOptions options, Func<string, IPubSub> pubSubs, int passwordIterations)
    {
        Data = data;
        Catalog = catalog;
        _options = options;
        _pubSubs = pubSubs;
        _passwordIterations = passwordIterations;
        _verifier = new PasswordVerifier(passwordIterations);
    }

    public DataDirectory Data { get; }

    /// <summary>The table of tenants this directory serves.</summary>
    public ITenantCatalog Catalog { get; }

    /// <summary>PBKDF2 iterations of new tenants' password hashes.</summary>
    public int PasswordIterations => _passwordIterations;

    /// <summary>The password checks of this directory's tenants.</summary>
    public PasswordVerifier Passwords => _verifier;

    /// <summary>Tenant directories the catalog did not list, removed at start.</summary>
    public IReadOnlyList<string> RemovedLeftovers { get; private set; } = [];

    public event Action<string>? Dropped;

    /// <summary>
    /// Opens every tenant the catalog lists, creating <c>default</c> in a new directory, and removes tenant
    /// directories the catalog does not list.
    /// </summary>
    /// <param name="data">The data directory.</param>
    /// <param name="options">
    /// Settings of every tenant; <see cref="TenantOptions.PubSub"/> is replaced by the tenant's namespace, and
    /// <see cref="TenantOptions.KeyspaceEvents"/> by the tenant's own (which starts from it when the tenant set none).
    /// </param>
    /// <param name="catalog">The tenant table; the data directory's <see cref="FileTenantCatalog"/> when null.</param>
    /// <param name="pubSubs">Makes a tenant's pub/sub namespace; a new <see cref="LocalPubSub"/> per tenant when null.</param>
    /// <param name="passwordIterations">PBKDF2 iterations for new tenants' password hashes.</param>
    /// <exception cref="DataDirectoryException">The catalog or a tenant's files are missing or damaged; nothing was written to them.</exception>
    public static TenantDirectory Open(
        DataDirectory data,
        TenantOptions options,
        ITenantCatalog? catalog = null,
        Func<string, IPubSub>? pubSubs = null,
        int passwordIterations = TenantPassword.DefaultIterations)
    {
        var createDefault = data.IsNew || IsEmptyOfTenants(data);
        catalog ??= FileTenantCatalog.Open(data.Path);
        var directory = new TenantDirectory(data, catalog, options, pubSubs ?? (_ => new LocalPubSub()), passwordIterations);
        try
        {
            foreach (var record in catalog.List())
            {
                var create = record.Name == ITenantDirectory.DefaultTenant && createDefault;
                directory._tenants[record.Name] = directory.OpenTenant(record.Name, create, record.Settings);
            }
            directory.RemovedLeftovers = directory.RemoveLeftovers();
        }
        catch
        {
            directory.Dispose();
            throw;
        }
        return directory;
    }

    private static bool IsEmptyOfTenants(DataDirectory data)
    {
        var tenants = Path.Combine(data.Path, "tenants");
        return !Directory.Exists(tenants) || !Directory.EnumerateFileSystemEntries(tenants).Any();
    }

    private Tenant OpenTenant(string name, bool create, IReadOnlyDictionary<string, string>? settings)
    {
        var path = Data.TenantPath(name);
        CheckTables(name, path);
        var pubSub = _pubSubs(name);
        var events = new KeyspaceEventSettings();
        events.Apply(settings ?? NoSettings, _options.KeyspaceEvents.Flags);
        try
        {
            return new Tenant(TenantGrain.Open(name, path, _options with { PubSub = pubSub, KeyspaceEvents = events }, create), pubSub, events);
        }
        catch (StorageCorruptionException e)
        {
            throw new DataDirectoryException($"tenant '{name}' in {path} is damaged: {e.Message}; refusing to start", e);
        }
        catch (LmdbException e)
        {
            throw new DataDirectoryException($"tenant '{name}' in {path} cannot be opened: {e.Message}; refusing to start", e);
        }
    }

    /// <summary>
    /// A damaged SQL file stops the start as a damaged LMDB file does, before anything opens it for writing: SQLite
    /// would otherwise answer every SQL login "database disk image is malformed" and could write over what is left.
    /// </summary>
    private static void CheckTables(string name, string directory)
    {
        var file = Path.Combine(directory, Sql.LocalSqlTenants.FileName);
        if (!File.Exists(file))
        {
            return;
        }
        var problems = Sql.SqliteFileCheck.Check(file);
        if (problems.Count > 0)
        {
            throw new DataDirectoryException(
                $"tenant '{name}': {file} is damaged ({string.Join("; ", problems)}); refusing to start. " +
                "The file was left as it is: restore it from a backup, or run `icefire check --data DIR` for the whole report");
        }
    }

    private List<string> RemoveLeftovers()
    {
        var removed = new List<string>();
        var root = Path.Combine(Data.Path, "tenants");
        if (!Directory.Exists(root))
        {
            return removed;
        }
        foreach (var entry in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(entry);
            if (!_tenants.ContainsKey(name))
            {
                Directory.Delete(entry, recursive: true);
                removed.Add(name);
            }
        }
        return removed;
    }

    /// <inheritdoc />
    public IReadOnlyList<TenantRecord> ListTenants() => Catalog.List();

    public ITenantGrain? Find(string name) => _tenants.TryGetValue(name, out var tenant) ? tenant.Grain : null;

    public IPubSub? FindPubSub(string name) => _tenants.TryGetValue(name, out var tenant) ? tenant.PubSub : null;

    /// <summary>The grain of <paramref name="name"/> with its statistics, or null when there is no such tenant.</summary>
    public TenantGrain? FindGrain(string name) => _tenants.TryGetValue(name, out var tenant) ? tenant.Grain : null;

    /// <inheritdoc />
    /// <remarks>An unknown tenant takes as long as a wrong password (see <see cref="PasswordVerifier"/>).</remarks>
    public ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password)
    {
        var stored = _tenants.ContainsKey(name) ? Catalog.Find(name)?.Password : null;
        return _verifier.VerifyAsync(name, stored, password);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> GetSettings(string name) => Catalog.Find(name)?.Settings ?? NoSettings;

    /// <inheritdoc />
    public async ValueTask<bool> SetSettingsAsync(string name, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (!_tenants.TryGetValue(name, out var tenant) || !await Catalog.TrySetSettingsAsync(name, changes, cancellationToken))
            {
                return false;
            }
            tenant.Events.Apply(GetSettings(name), _options.KeyspaceEvents.Flags);
            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>Creates tenant <paramref name="name"/> with an empty dataset; durable when it returns <see cref="TenantChangeStatus.Done"/>.</summary>
    /// <exception cref="IOException">The dataset or the catalog could not be written; nothing was created.</exception>
    public async Task<TenantChangeStatus> CreateAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TenantName.IsValid(name))
        {
            return TenantChangeStatus.InvalidName;
        }
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (Catalog.Find(name) is not null)
            {
                return TenantChangeStatus.Exists;
            }
            var path = Data.TenantPath(name);
            if (Directory.Exists(path))
            {
                // Not in the catalog: what a failed drop left behind.
                Directory.Delete(path, recursive: true);
            }
            var hash = await Task.Run(() => TenantPassword.Hash(System.Text.Encoding.UTF8.GetBytes(password), _passwordIterations), cancellationToken);
            var tenant = OpenTenant(name, create: true, settings: null);
            bool added;
            try
            {
                added = await Catalog.TryAddAsync(new TenantRecord(name, DateTimeOffset.UtcNow, hash), cancellationToken);
            }
            catch
            {
                CloseAndDelete(tenant, path);
                throw;
            }
            if (!added)
            {
                CloseAndDelete(tenant, path);
                return TenantChangeStatus.Exists;
            }
            _tenants[name] = tenant;
            return TenantChangeStatus.Done;
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// Drops tenant <paramref name="name"/>: removes it from the catalog, raises <see cref="Dropped"/>, closes its
    /// grain once its queued writes are done, and deletes its directory.
    /// </summary>
    public async Task<TenantChangeStatus> DropAsync(string name, CancellationToken cancellationToken = default)
    {
        if (name == ITenantDirectory.DefaultTenant)
        {
            return TenantChangeStatus.Protected;
        }
        if (!TenantName.IsValid(name))
        {
            return TenantChangeStatus.NotFound;
        }
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (!await Catalog.TryRemoveAsync(name, cancellationToken))
            {
                return TenantChangeStatus.NotFound;
            }
            _verifier.Forget(name);
            if (_tenants.TryRemove(name, out var tenant))
            {
                Dropped?.Invoke(name);
                await Task.Run(() => CloseAndDelete(tenant, Data.TenantPath(name)), CancellationToken.None);
            }
            return TenantChangeStatus.Done;
        }
        finally
        {
            _changes.Release();
        }
    }

    private static void CloseAndDelete(Tenant tenant, string path)
    {
        tenant.Grain.Dispose();
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The catalog no longer lists it: the next start or a create of the same name removes it.
        }
    }

    /// <summary>Closes every tenant after its queued writes are durable.</summary>
    public void Dispose()
    {
        foreach (var tenant in _tenants.Values)
        {
            tenant.Grain.Dispose();
        }
        _tenants.Clear();
    }

    private sealed record Tenant(TenantGrain Grain, IPubSub PubSub, KeyspaceEventSettings Events);
}
