using System.Text.Json;
using System.Text.Json.Serialization;

namespace IceFire.Grains.Hosting.Catalog;

/// <summary>
/// The tenant catalog of a single silo: <c>tenants.json</c> in the data directory, replaced whole on every
/// change through <see cref="DurableFile.Replace"/> (temporary file, fsync, rename, fsync of the directory), so
/// a crash leaves the old catalog or the new one. A leftover temporary file is a write that never reached its
/// rename and is ignored. A catalog that cannot be read stops start-up and is never overwritten.
/// </summary>
public sealed class FileTenantCatalog : ITenantCatalog
{
    public const string FileName = "tenants.json";
    private const string Format = "icefire-tenants-1";

    private readonly string _path;
    private readonly SemaphoreSlim _changes = new(1, 1);
    // Replaced whole by each change; readers take the reference without a lock.
    private volatile IReadOnlyList<TenantRecord> _records;

    private FileTenantCatalog(string path, IReadOnlyList<TenantRecord> records)
    {
        _path = path;
        _records = records;
    }

    /// <summary>The catalog file.</summary>
    public string Path => _path;

    /// <summary>
    /// Opens the catalog of the data directory at <paramref name="dataPath"/>. When there is none yet (a new
    /// directory, or one written before tenants had a catalog and holding only <c>default</c>), one listing
    /// <c>default</c> is written.
    /// </summary>
    /// <exception cref="DataDirectoryException">The catalog is damaged, or missing while other tenants' data exists.</exception>
    public static FileTenantCatalog Open(string dataPath)
    {
        var path = System.IO.Path.Combine(dataPath, FileName);
        if (File.Exists(path))
        {
            var records = Read(path);
            // Written by an older version with the default mode: it holds password hashes, so only the owner reads it.
            DurableFile.RestrictToOwner(path);
            return new FileTenantCatalog(path, records);
        }
        var tenants = System.IO.Path.Combine(dataPath, "tenants");
        if (Directory.Exists(tenants))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(tenants))
            {
                var name = System.IO.Path.GetFileName(entry);
                if (name != Interfaces.ITenantDirectory.DefaultTenant)
                {
                    throw new DataDirectoryException(
                        $"{path} is missing but {tenants} holds '{name}'; without the catalog the tenants and their " +
                        "passwords are unknown. Refusing to start so that nothing is lost; restore the catalog from a backup.");
                }
            }
        }
        var first = new List<TenantRecord> { new(Interfaces.ITenantDirectory.DefaultTenant, DateTimeOffset.UtcNow, null) };
        try
        {
            Write(path, first);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataDirectoryException($"cannot write {path}: {e.Message}", e);
        }
        return new FileTenantCatalog(path, first);
    }

    public IReadOnlyList<TenantRecord> List() => [.. _records];

    public TenantRecord? Find(string name)
    {
        foreach (var record in _records)
        {
            if (record.Name == name)
            {
                return record;
            }
        }
        return null;
    }

    public async ValueTask<bool> TryAddAsync(TenantRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (TenantName.Problem(record.Name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(record));
        }
        if (record.Password is null)
        {
            throw new ArgumentException("a tenant other than default needs a password", nameof(record));
        }
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (Find(record.Name) is not null)
            {
                return false;
            }
            var next = new List<TenantRecord>(_records) { record };
            Sort(next);
            Write(_path, next);
            _records = next;
            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    public async ValueTask<bool> TryRemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        if (name == Interfaces.ITenantDirectory.DefaultTenant)
        {
            throw new ArgumentException("the default tenant cannot be removed", nameof(name));
        }
        await _changes.WaitAsync(cancellationToken);
        try
        {
            var next = new List<TenantRecord>(_records);
            if (next.RemoveAll(r => r.Name == name) == 0)
            {
                return false;
            }
            Write(_path, next);
            _records = next;
            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    public async ValueTask<bool> TrySetSettingsAsync(string name, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await _changes.WaitAsync(cancellationToken);
        try
        {
            var next = new List<TenantRecord>(_records);
            var at = next.FindIndex(r => r.Name == name);
            if (at < 0)
            {
                return false;
            }
            var settings = Sorted(next[at].Settings);
            foreach (var pair in changes)
            {
                settings[pair.Key] = pair.Value;
            }
            // The password hash keeps its identity: caches keyed on it stay valid.
            next[at] = next[at] with { Settings = settings };
            Write(_path, next);
            _records = next;
            return true;
        }
        finally
        {
            _changes.Release();
        }
    }

    private static SortedDictionary<string, string> Sorted(IReadOnlyDictionary<string, string>? settings)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in settings ?? new Dictionary<string, string>())
        {
            sorted[pair.Key] = pair.Value;
        }
        return sorted;
    }

    private static void Sort(List<TenantRecord> records) => records.Sort(static (a, b) =>
        a.Name == Interfaces.ITenantDirectory.DefaultTenant ? -1
        : b.Name == Interfaces.ITenantDirectory.DefaultTenant ? 1
        : string.CompareOrdinal(a.Name, b.Name));

    private static void Write(string path, List<TenantRecord> records)
    {
        var file = new CatalogFile { Format = Format, Tenants = [] };
        foreach (var r in records)
        {
            file.Tenants.Add(new CatalogEntry
            {
                Name = r.Name,
                Created = r.Created,
                Password = r.Password is null ? null : new CatalogPassword
                {
                    Algorithm = r.Password.Algorithm,
                    Iterations = r.Password.Iterations,
                    Salt = r.Password.Salt,
                    Hash = r.Password.Hash,
                },
                Settings = r.Settings is { Count: > 0 } settings ? Sorted(settings) : null,
            });
        }
        DurableFile.Replace(path, JsonSerializer.SerializeToUtf8Bytes(file, CatalogJson.Default.CatalogFile));
    }

    /// <summary>Reads the catalog file at <paramref name="path"/> without writing anything (offline checks).</summary>
    /// <exception cref="DataDirectoryException">The catalog cannot be read or is damaged.</exception>
    public static IReadOnlyList<TenantRecord> ReadExisting(string path) => Read(path);

    private static List<TenantRecord> Read(string path)
    {
        CatalogFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), CatalogJson.Default.CatalogFile);
        }
        catch (JsonException e)
        {
            throw Damaged(path, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataDirectoryException($"cannot read {path}: {e.Message}; refusing to start", e);
        }
        if (file is null)
        {
            throw Damaged(path, "it holds no catalog");
        }
        if (file.Format != Format)
        {
            throw new DataDirectoryException($"{path} names format '{file.Format}'; this build reads '{Format}'. Refusing to start.");
        }
        var records = new List<TenantRecord>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in file.Tenants ?? [])
        {
            if (entry.Name is null || TenantName.Problem(entry.Name) is not null)
            {
                throw Damaged(path, $"it lists an invalid tenant name '{entry.Name}'");
            }
            if (!names.Add(entry.Name))
            {
                throw Damaged(path, $"it lists tenant '{entry.Name}' twice");
            }
            PasswordHash? password = null;
            if (entry.Password is { } p)
            {
                if (p.Algorithm != TenantPassword.Pbkdf2Sha256 || p.Iterations < 1 || p.Salt is not { Length: > 0 } || p.Hash is not { Length: > 0 })
                {
                    throw Damaged(path, $"the password of tenant '{entry.Name}' is not a {TenantPassword.Pbkdf2Sha256} hash");
                }
                password = new PasswordHash(p.Algorithm, p.Iterations, p.Salt, p.Hash);
            }
            else if (entry.Name != Interfaces.ITenantDirectory.DefaultTenant)
            {
                throw Damaged(path, $"tenant '{entry.Name}' has no password hash");
            }
            records.Add(new TenantRecord(entry.Name, entry.Created, password, entry.Settings is { Count: > 0 } settings ? settings : null));
        }
        if (!names.Contains(Interfaces.ITenantDirectory.DefaultTenant))
        {
            throw Damaged(path, "it does not list the default tenant");
        }
        Sort(records);
        return records;
    }

    private static DataDirectoryException Damaged(string path, string why, Exception? inner = null) =>
        new($"the tenant catalog {path} is damaged ({why}); refusing to start, and leaving it as it is", inner);

    internal sealed class CatalogFile
    {
        public string? Format { get; set; }

        public List<CatalogEntry>? Tenants { get; set; }
    }

    internal sealed class CatalogEntry
    {
        public string? Name { get; set; }

        public DateTimeOffset Created { get; set; }

        public CatalogPassword? Password { get; set; }

        /// <summary>The tenant's own CONFIG settings (absent in catalogs written before tenants had any).</summary>
        public SortedDictionary<string, string>? Settings { get; set; }
    }

    internal sealed class CatalogPassword
    {
        public string? Algorithm { get; set; }

        public int Iterations { get; set; }

        public byte[]? Salt { get; set; }

        public byte[]? Hash { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(FileTenantCatalog.CatalogFile))]
internal sealed partial class CatalogJson : JsonSerializerContext;
