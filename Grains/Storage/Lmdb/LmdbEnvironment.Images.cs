using LightningDB;

namespace IceFire.Grains.Storage.Lmdb;

public sealed partial class LmdbEnvironment
{
    /// <summary>
    /// Writes a consistent, compacted copy of the environment's data file to the new file <paramref name="path"/>
    /// (<c>mdb_env_copyfd2</c> with MDB_CP_COMPACT), as of the last committed write transaction. The copy runs in its
    /// own read transaction, so writers go on meanwhile. The file is not fsynced; the caller makes it durable.
    /// </summary>
    public void CopyToFile(string path)
    {
        ThrowIfDisposed();
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        // The copy reads the map: keep it from being resized underneath.
        EnterMap();
        try
        {
            LmdbException.Check(_lightning.CopyToStream(file, compact: true), $"mdb_env_copyfd2({path})");
        }
        finally
        {
            _mapGate.ExitShared();
        }
    }

    /// <summary>
    /// Opens a data file written by <see cref="CopyToFile"/> read-only, without a lock file (MDB_NOSUBDIR, MDB_RDONLY,
    /// MDB_NOLOCK): the caller guarantees nobody writes it. Read it with <see cref="BeginRead"/> and
    /// <see cref="OpenExistingDatabase"/>.
    /// </summary>
    /// <exception cref="LmdbException">The file is not an LMDB data file (<see cref="LmdbException.IsCorruption"/>).</exception>
    public static LmdbEnvironment OpenImage(string file) => OpenReadOnly(file, file, EnvironmentOpenFlags.NoSubDir);

    /// <summary>
    /// Opens the environment in <paramref name="directory"/> read-only and without its lock file (MDB_RDONLY, MDB_NOLOCK):
    /// nothing in the directory is written, not even the reader table. For offline checks: the caller makes sure no
    /// process writes the environment meanwhile.
    /// </summary>
    /// <exception cref="LmdbException">The data file is not an LMDB data file (<see cref="LmdbException.IsCorruption"/>).</exception>
    public static LmdbEnvironment OpenReadOnly(string directory) =>
        OpenReadOnly(directory, System.IO.Path.Combine(directory, "data.mdb"), EnvironmentOpenFlags.None);

    private static LmdbEnvironment OpenReadOnly(string path, string file, EnvironmentOpenFlags extraFlags)
    {
        var options = new LmdbEnvironmentOptions { SyncOnCommit = false };
        LmdbLibrary.EnsureLoaded();
        // LMDB raises the map to the size the file's meta page records if this is smaller. Reading the length first
        // also fails a missing file before LightningDB would create a directory for it.
        var length = Math.Max(new FileInfo(file).Length, 1L << 20);
        var configuration = new EnvironmentConfiguration { MapSize = length, MaxDatabases = checked((int)options.MaxDatabases) };
        var flags = extraFlags | EnvironmentOpenFlags.ReadOnly | EnvironmentOpenFlags.NoLock
            | EnvironmentOpenFlags.NoThreadLocalStorage | EnvironmentOpenFlags.NoReadAhead;
        const UnixAccessMode Mode = UnixAccessMode.OwnerRead | UnixAccessMode.GroupRead | UnixAccessMode.OtherRead;
        var lightning = OpenLightning(path, configuration, flags, Mode);
        return new LmdbEnvironment(lightning, path, options);
    }

    /// <summary>Names of the named databases in the environment, as <paramref name="txn"/> sees them, in key order.</summary>
    public static List<string> DatabaseNames(LmdbTransaction txn)
    {
        ArgumentNullException.ThrowIfNull(txn);
        var names = new List<string>();
        var main = txn.OpenDatabase(null, create: false);
        using var cursor = txn.OpenCursor(main);
        for (var more = cursor.First(); more; more = cursor.Next())
        {
            names.Add(System.Text.Encoding.UTF8.GetString(cursor.Key));
        }
        return names;
    }

    /// <summary>
    /// Opens the existing database <paramref name="name"/> in <paramref name="txn"/> (a read transaction of a read-only
    /// environment included); the handle is for that transaction's use. Throws if the database is absent.
    /// </summary>
    public static LmdbDatabase OpenExistingDatabase(LmdbTransaction txn, string name)
    {
        ArgumentNullException.ThrowIfNull(txn);
        return txn.OpenDatabase(name, create: false);
    }
}
