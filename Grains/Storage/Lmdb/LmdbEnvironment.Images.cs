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
        var added = false;
        file.SafeFileHandle.DangerousAddRef(ref added);
        // The copy reads the map: keep it from being resized underneath.
        _mapGate.EnterShared();
        try
        {
            var fd = (int)file.SafeFileHandle.DangerousGetHandle();
            LmdbException.Check(LmdbNative.mdb_env_copyfd2(Raw, fd, LmdbNative.MDB_CP_COMPACT), $"mdb_env_copyfd2({path})");
        }
        finally
        {
            _mapGate.ExitShared();
            if (added)
            {
                file.SafeFileHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Opens a data file written by <see cref="CopyToFile"/> read-only, without a lock file (MDB_NOSUBDIR, MDB_RDONLY,
    /// MDB_NOLOCK): the caller guarantees nobody writes it. Read it with <see cref="BeginRead"/> and
    /// <see cref="OpenExistingDatabase"/>.
    /// </summary>
    /// <exception cref="LmdbException">The file is not an LMDB data file (<see cref="LmdbException.IsCorruption"/>).</exception>
    public static LmdbEnvironment OpenImage(string file) => OpenReadOnly(file, file, LmdbNative.MDB_NOSUBDIR);

    /// <summary>
    /// Opens the environment in <paramref name="directory"/> read-only and without its lock file (MDB_RDONLY, MDB_NOLOCK):
    /// nothing in the directory is written, not even the reader table. For offline checks: the caller makes sure no
    /// process writes the environment meanwhile.
    /// </summary>
    /// <exception cref="LmdbException">The data file is not an LMDB data file (<see cref="LmdbException.IsCorruption"/>).</exception>
    public static LmdbEnvironment OpenReadOnly(string directory) =>
        OpenReadOnly(directory, System.IO.Path.Combine(directory, "data.mdb"), 0);

    private static LmdbEnvironment OpenReadOnly(string path, string file, uint extraFlags)
    {
        var options = new LmdbEnvironmentOptions { SyncOnCommit = false };
        LmdbNative.EnsureLoaded();
        LmdbException.Check(LmdbNative.mdb_env_create(out var raw), "mdb_env_create");
        var handle = new EnvironmentHandle();
        handle.Set(raw);
        try
        {
            LmdbException.Check(LmdbNative.mdb_env_set_maxdbs(raw, options.MaxDatabases), "mdb_env_set_maxdbs");
            // LMDB raises the map to the size the file's meta page records if this is smaller.
            var length = Math.Max(new FileInfo(file).Length, 1L << 20);
            LmdbException.Check(LmdbNative.mdb_env_set_mapsize(raw, (nuint)length), "mdb_env_set_mapsize");
            var flags = extraFlags | LmdbNative.MDB_RDONLY | LmdbNative.MDB_NOLOCK | LmdbNative.MDB_NOTLS | LmdbNative.MDB_NORDAHEAD;
            LmdbException.Check(LmdbNative.mdb_env_open(raw, path, flags, Convert.ToUInt32("444", 8)), $"mdb_env_open({path})");
            LmdbException.Check(LmdbNative.mdb_env_info(raw, out var info), "mdb_env_info");
            return new LmdbEnvironment(handle, path, (long)info.MapSize, options);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
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
