using System.Text.Json;

namespace IceFire.Grains.Hosting;

/// <summary>A data directory cannot be used: it is not IceFire's, it is damaged, or another process holds it.</summary>
public sealed class DataDirectoryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The silo's data directory: an identity file (<c>icefire.json</c>) that says the directory is IceFire's,
/// a lock file held for the life of the process, and <c>tenants/NAME/</c> with each tenant's LMDB
/// environment. A directory that exists, is not empty and has no identity file is refused untouched.
/// </summary>
public sealed class DataDirectory : IDisposable
{
    private const string IdentityFile = "icefire.json";
    private const string Format = "icefire-data-1";
    private readonly FileStream _lock;

    private DataDirectory(string path, bool isNew, FileStream lockFile)
    {
        Path = path;
        IsNew = isNew;
        _lock = lockFile;
    }

    /// <summary>The absolute path.</summary>
    public string Path { get; }

    /// <summary>True when this start created the directory's contents.</summary>
    public bool IsNew { get; }

    /// <summary>
    /// Makes the files and directories this process creates from now on readable by its own user only (umask 077, as
    /// PostgreSQL does): tenant catalogs, Raft logs and snapshots hold password hashes. The server calls it once at start.
    /// </summary>
    public static void MakeNewFilesPrivate() => Catalog.DurableFile.RestrictNewFilesToOwner();

    /// <summary>Opens or creates the directory at <paramref name="path"/>.</summary>
    /// <exception cref="DataDirectoryException">The directory is someone else's, damaged, or in use.</exception>
    public static DataDirectory Open(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var identity = System.IO.Path.Combine(path, IdentityFile);
        var isNew = false;
        if (File.Exists(identity))
        {
            CheckIdentity(identity);
        }
        else if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new DataDirectoryException(
                $"{path} is not an IceFire data directory (it is not empty and has no {IdentityFile}); " +
                "refusing to start so that nothing in it is overwritten. Choose another directory with --data.");
        }
        else
        {
            isNew = true;
        }
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataDirectoryException($"cannot create data directory {path}: {e.Message}", e);
        }
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(System.IO.Path.Combine(path, "LOCK"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new DataDirectoryException($"data directory {path} is in use by another IceFire process ({e.Message})", e);
        }
        if (isNew)
        {
            var content = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["format"] = Format,
                ["created"] = DateTimeOffset.UtcNow.ToString("O"),
            });
            var temp = identity + ".tmp";
            File.WriteAllText(temp, content);
            File.Move(temp, identity, overwrite: true);
        }
        return new DataDirectory(path, isNew, lockFile);
    }

    /// <summary>The directory of tenant <paramref name="name"/>'s environment.</summary>
    public string TenantPath(string name) => System.IO.Path.Combine(Path, "tenants", name);

    private static void CheckIdentity(string identity)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(identity));
            var format = doc.RootElement.GetProperty("format").GetString();
            if (format != Format)
            {
                throw new DataDirectoryException($"{identity} names format '{format}'; this build reads '{Format}'");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DataDirectoryException($"{identity} is damaged ({e.Message}); refusing to start", e);
        }
    }

    public void Dispose() => _lock.Dispose();
}
