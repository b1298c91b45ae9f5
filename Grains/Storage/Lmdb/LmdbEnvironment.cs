using System.Collections.Concurrent;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>How to open an <see cref="LmdbEnvironment"/>.</summary>
public sealed record LmdbEnvironmentOptions
{
    /// <summary>Initial map size in bytes; the map grows when it fills.</summary>
    public long InitialMapSize { get; init; } = 64L << 20;

    /// <summary>Largest number of named databases.</summary>
    public uint MaxDatabases { get; init; } = 64;

    /// <summary>Largest number of concurrent read transactions.</summary>
    public uint MaxReaders { get; init; } = 1024;

    /// <summary>When false, commits do not fsync (MDB_NOSYNC); call <see cref="LmdbEnvironment.Sync"/> to make them durable.</summary>
    public bool SyncOnCommit { get; init; } = true;

    /// <summary>
    /// With sync on commit, leave the meta page unsynced (MDB_NOMETASYNC): a commit returns with its data
    /// pages on disk but its meta page only written; the transaction becomes durable at the next sync,
    /// which the next commit's data sync or <see cref="LmdbEnvironment.Sync"/> provides. Integrity is kept
    /// (data is always on disk before the meta page that points at it); the caller must not acknowledge a
    /// commit before that next sync.
    /// </summary>
    public bool DeferMetaSync { get; init; }

    /// <summary>
    /// Write through a writable memory map (MDB_WRITEMAP): a write transaction changes its pages in the map
    /// itself instead of in heap copies that the commit then hands to the kernel with one pwrite per run of
    /// pages. A commit that dirties many scattered pages (random updates of a large B-tree) costs one
    /// syscall-free pass instead of hundreds of writes. Durability is unchanged: a synced commit flushes the
    /// map with msync(MS_SYNC), which on Linux is fdatasync over the range, before the meta page is written,
    /// and <see cref="LmdbEnvironment.Sync"/> does the same. Crash safety is unchanged too: a transaction only
    /// writes pages that neither of the two meta pages' snapshots reference, so whatever of an unfinished
    /// transaction reaches the file is unreachable. The data file is as long as the map, and the map's extent
    /// is reserved on disk (posix_fallocate) when it is opened or grown, so a full disk fails the open or
    /// <see cref="LmdbEnvironment.Grow"/> with ENOSPC instead of failing a later store to the map with SIGBUS.
    /// The file may be opened with or without this option, but never by two processes that differ in it.
    /// </summary>
    public bool WriteMap { get; init; }
}

/// <summary>
/// One LMDB environment (a directory holding data.mdb and lock.mdb).
/// Threading: opened with MDB_NOTLS, so a read transaction may move between threads, but one
/// transaction is used by one thread at a time. There is at most one write transaction at a time;
/// callers keep writes on one thread (LMDB would otherwise block the second writer on a mutex).
/// </summary>
public sealed partial class LmdbEnvironment : IDisposable
{
    private readonly EnvironmentHandle _handle;
    private readonly ConcurrentBag<LmdbReadTransaction> _readPool = new();
    // Readers hold this shared while a read transaction is live; Grow takes it exclusively,
    // because mdb_env_set_mapsize remaps the file and would pull memory from under a reader.
    private readonly LmdbMapGate _mapGate = new();
    private readonly Dictionary<string, LmdbDatabase> _databases = new(StringComparer.Ordinal);
    private long _mapSize;
    private int _disposed;

    private LmdbEnvironment(EnvironmentHandle handle, string path, long mapSize, LmdbEnvironmentOptions options)
    {
        _handle = handle;
        Path = path;
        _mapSize = mapSize;
        Options = options;
    }

    /// <summary>The directory of the environment.</summary>
    public string Path { get; }

    public LmdbEnvironmentOptions Options { get; }

    /// <summary>The current map size in bytes.</summary>
    public long MapSize => Interlocked.Read(ref _mapSize);

    internal IntPtr Raw => _handle.DangerousGetHandle();

    internal EnvironmentHandle Handle => _handle;

    /// <summary>Opens (creating if absent) the environment in directory <paramref name="path"/>.</summary>
    /// <exception cref="LmdbException">LMDB refused; <see cref="LmdbException.IsCorruption"/> tells a damaged file.</exception>
    public static LmdbEnvironment Open(string path, LmdbEnvironmentOptions? options = null)
    {
        options ??= new LmdbEnvironmentOptions();
        LmdbNative.EnsureLoaded();
        Directory.CreateDirectory(path);
        LmdbException.Check(LmdbNative.mdb_env_create(out var raw), "mdb_env_create");
        var handle = new EnvironmentHandle();
        handle.Set(raw);
        try
        {
            LmdbException.Check(LmdbNative.mdb_env_set_maxdbs(raw, options.MaxDatabases), "mdb_env_set_maxdbs");
            LmdbException.Check(LmdbNative.mdb_env_set_maxreaders(raw, options.MaxReaders), "mdb_env_set_maxreaders");
            LmdbException.Check(LmdbNative.mdb_env_set_mapsize(raw, (nuint)options.InitialMapSize), "mdb_env_set_mapsize");
            var flags = LmdbNative.MDB_NOTLS | LmdbNative.MDB_NORDAHEAD;
            if (!options.SyncOnCommit)
            {
                flags |= LmdbNative.MDB_NOSYNC;
            }
            else if (options.DeferMetaSync)
            {
                flags |= LmdbNative.MDB_NOMETASYNC;
            }
            if (options.WriteMap)
            {
                flags |= LmdbNative.MDB_WRITEMAP;
            }
            LmdbException.Check(LmdbNative.mdb_env_open(raw, path, flags, Convert.ToUInt32("644", 8)), $"mdb_env_open({path})");
            // A file larger than the configured size keeps its own size.
            LmdbException.Check(LmdbNative.mdb_env_info(raw, out var info), "mdb_env_info");
            if (options.WriteMap)
            {
                ReserveDisk(raw, (long)info.MapSize);
            }
            // Clear readers left behind by a process that died.
            LmdbNative.mdb_reader_check(raw, out _);
            return new LmdbEnvironment(handle, path, (long)info.MapSize, options);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens (creating if needed) a named database. Call before concurrent use; names are cached.</summary>
    public LmdbDatabase OpenDatabase(string name)
    {
        lock (_databases)
        {
            if (_databases.TryGetValue(name, out var db))
            {
                return db;
            }
            using var txn = BeginWrite();
            db = txn.OpenDatabase(name, create: true);
            txn.Commit();
            _databases[name] = db;
            return db;
        }
    }

    /// <summary>Begins the write transaction. The caller commits or aborts it on the same thread.</summary>
    public LmdbWriteTransaction BeginWrite()
    {
        ThrowIfDisposed();
        var handle = new TransactionHandle(_handle);
        var rc = LmdbNative.mdb_txn_begin(Raw, IntPtr.Zero, 0, out var txn);
        if (rc != 0)
        {
            handle.Dispose();
            LmdbException.Throw(rc, "mdb_txn_begin");
        }
        handle.Set(txn);
        return new LmdbWriteTransaction(this, handle);
    }

    /// <summary>
    /// Rents a read transaction over the latest committed state. Dispose it promptly: a live read
    /// transaction pins the pages it sees and stops LMDB from reusing them.
    /// </summary>
    public LmdbReadTransaction BeginRead()
    {
        ThrowIfDisposed();
        _mapGate.EnterShared();
        try
        {
            if (!_readPool.TryTake(out var txn))
            {
                txn = LmdbReadTransaction.Create(this);
            }
            else
            {
                txn.Renew();
            }
            return txn;
        }
        catch
        {
            _mapGate.ExitShared();
            throw;
        }
    }

    internal void ReturnRead(LmdbReadTransaction txn)
    {
        try
        {
            if (Volatile.Read(ref _disposed) == 0 && _readPool.Count < 64)
            {
                txn.ResetForPool();
                _readPool.Add(txn);
            }
            else
            {
                txn.Close();
            }
        }
        finally
        {
            _mapGate.ExitShared();
        }
    }

    /// <summary>
    /// Grows the map after <see cref="LmdbMapFullException"/>: doubles it up to 1 GiB, then adds 1 GiB at a time.
    /// Must be called with no write transaction open; waits for live readers to finish.
    /// </summary>
    public void Grow(long atLeast = 0)
    {
        _mapGate.EnterExclusive();
        try
        {
            var current = Interlocked.Read(ref _mapSize);
            var next = current < (1L << 30) ? current * 2 : current + (1L << 30);
            next = Math.Max(next, atLeast);
            LmdbException.Check(LmdbNative.mdb_env_set_mapsize(Raw, (nuint)next), "mdb_env_set_mapsize");
            LmdbException.Check(LmdbNative.mdb_env_info(Raw, out var info), "mdb_env_info");
            if (Options.WriteMap)
            {
                try
                {
                    ReserveDisk(Raw, (long)info.MapSize);
                }
                catch (LmdbException)
                {
                    // Back to the size whose disk is reserved; LMDB truncates the file to it again.
                    LmdbException.Check(LmdbNative.mdb_env_set_mapsize(Raw, (nuint)current), "mdb_env_set_mapsize");
                    throw;
                }
            }
            Interlocked.Exchange(ref _mapSize, (long)info.MapSize);
        }
        finally
        {
            _mapGate.ExitExclusive();
        }
    }

    /// <summary>
    /// Allocates the disk blocks behind the first <paramref name="length"/> bytes of the data file. With a
    /// writable map, a store to a page whose block the file system cannot allocate is a SIGBUS, not an error.
    /// </summary>
    private static void ReserveDisk(IntPtr env, long length)
    {
        LmdbException.Check(LmdbNative.mdb_env_get_fd(env, out var fd), "mdb_env_get_fd");
        var rc = LmdbNative.posix_fallocate(fd, 0, length);
        if (rc != 0)
        {
            throw new LmdbException(rc, $"posix_fallocate(data.mdb, {length})");
        }
    }

    /// <summary>Where the map lies in memory now; spans inside it move when the map grows or a write relocates a page.</summary>
    public (nint Start, long Length) MapRange
    {
        get
        {
            LmdbException.Check(LmdbNative.mdb_env_info(Raw, out var info), "mdb_env_info");
            return (info.MapAddress, (long)info.MapSize);
        }
    }

    /// <summary>
    /// Flushes committed data to disk (fdatasync, or msync(MS_SYNC) with a write map), for environments opened
    /// without sync on commit. Any thread may call it while the writer works; it keeps the map from being
    /// resized under the flush, so do not call it while holding a read transaction.
    /// </summary>
    public void Sync()
    {
        ThrowIfDisposed();
        _mapGate.EnterShared();
        try
        {
            LmdbException.Check(LmdbNative.mdb_env_sync(Raw, 1), "mdb_env_sync");
        }
        finally
        {
            _mapGate.ExitShared();
        }
    }

    /// <summary>Writes a consistent copy of the environment to <paramref name="directory"/> (compacting).</summary>
    public void CopyTo(string directory)
    {
        Directory.CreateDirectory(directory);
        LmdbException.Check(LmdbNative.mdb_env_copy2(Raw, directory, LmdbNative.MDB_CP_COMPACT), $"mdb_env_copy2({directory})");
    }

    /// <summary>
    /// The id of the last committed write transaction: grows by one with every commit and survives restarts.
    /// Safe to read while another thread closes the environment: it then throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public long LastTransactionId
    {
        get
        {
            var added = false;
            _handle.DangerousAddRef(ref added);
            try
            {
                LmdbException.Check(LmdbNative.mdb_env_info(Raw, out var info), "mdb_env_info");
                return (long)info.LastTxnId;
            }
            finally
            {
                if (added)
                {
                    _handle.DangerousRelease();
                }
            }
        }
    }

    /// <summary>Bytes of the data file in use (last page times page size).</summary>
    public long UsedBytes
    {
        get
        {
            LmdbException.Check(LmdbNative.mdb_env_info(Raw, out var info), "mdb_env_info");
            LmdbException.Check(LmdbNative.mdb_env_stat(Raw, out var stat), "mdb_env_stat");
            return ((long)info.LastPage + 1) * stat.PageSize;
        }
    }

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    /// <summary>Closes the environment once every transaction has ended.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _mapGate.EnterExclusive();
        try
        {
            while (_readPool.TryTake(out var txn))
            {
                txn.Close();
            }
        }
        finally
        {
            _mapGate.ExitExclusive();
        }
        _handle.Dispose();
    }
}
