using System.Text.Json;
using System.Text.Json.Serialization;

namespace IceFire.Grains.Hosting.Catalog;

/// <summary>
/// The tenant catalog a single silo kept before it ran as a cluster of one: <c>tenants.json</c> in the data directory,
/// listing each tenant with its password hash and settings, beside <c>tenants/NAME</c> holding each one's data. The
/// silo adopts such a directory on its first start (<c>ClusterNode.Adoption.cs</c>) and removes the file last; until
/// then it is only read, and a damaged one stops start-up and is left as it is.
/// </summary>
public static class SingleSiloCatalog
{
    public const string FileName = "tenants.json";
    private const string Format = "icefire-tenants-1";

    /// <summary>Reads the catalog file at <paramref name="path"/> without writing anything.</summary>
    /// <exception cref="DataDirectoryException">The catalog cannot be read or is damaged.</exception>
    public static IReadOnlyList<TenantRecord> Read(string path)
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
        records.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
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
[JsonSerializable(typeof(SingleSiloCatalog.CatalogFile))]
internal sealed partial class CatalogJson : JsonSerializerContext;
