using System.Collections.Concurrent;
using LightningDB;
using NativeLmdb = LightningDB.Native.Lmdb;

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
/// One LMDB environment (a directory holding data.mdb and lock.mdb), opened through LightningDB.
/// Threading: opened with MDB_NOTLS, so a read transaction may move between threads, but one
/// transaction is used by one thread at a time. There is at most one write transaction at a time;
/// callers keep writes on one thread (LMDB would otherwise block the second writer on a mutex).
/// </summary>
public sealed partial class LmdbEnvironment : IDisposable
{
    private readonly LightningEnvironment _lightning;
    private readonly ConcurrentBag<LmdbReadTransaction> _readPool = new();
    // Readers hold this shared while a read transaction is live; Grow takes it exclusively,
    // because mdb_env_set_mapsize remaps the file and would pull memory from under a reader.
    private readonly LmdbMapGate _mapGate = new();
    private readonly Dictionary<string, LmdbDatabase> _databases = new(StringComparer.Ordinal);
    private long _mapSize;
    private int _disposed;
    // The owner's reference plus one per live write transaction or environment query: LightningDB must not close
    // the environment under either, so the last one to leave closes it. Readers are covered by the map gate.
    private int _users = 1;

    private LmdbEnvironment(LightningEnvironment lightning, string path, LmdbEnvironmentOptions options)
    {
        _lightning = lightning;
        Path = path;
        Options = options;
        _mapSize = (long)Info().me_mapsize;
    }

    /// <summary>The directory of the environment.</summary>
    public string Path { get; }

    public LmdbEnvironmentOptions Options { get; }

    /// <summary>The current map size in bytes.</summary>
    public long MapSize => Interlocked.Read(ref _mapSize);

    internal LightningEnvironment Lightning => _lightning;

    /// <summary>Opens (creating if absent) the environment in directory <paramref name="path"/>.</summary>
    /// <exception cref="LmdbException">LMDB refused; <see cref="LmdbException.IsCorruption"/> tells a damaged file.</exception>
    /// <exception cref="DllNotFoundException">liblmdb.so.0 is not installed.</exception>
    public static LmdbEnvironment Open(string path, LmdbEnvironmentOptions? options = null)
    {
        options ??= new LmdbEnvironmentOptions();
        LmdbLibrary.EnsureLoaded();
        Directory.CreateDirectory(path);
        var flags = EnvironmentOpenFlags.NoThreadLocalStorage | EnvironmentOpenFlags.NoReadAhead;
        if (!options.SyncOnCommit)
        {
            flags |= EnvironmentOpenFlags.NoSync;
        }
        else if (options.DeferMetaSync)
        {
            flags |= EnvironmentOpenFlags.NoMetaSync;
        }
        if (options.WriteMap)
        {
            flags |= EnvironmentOpenFlags.WriteMap;
        }
        var configuration = new EnvironmentConfiguration
        {
            MapSize = options.InitialMapSize,
            MaxDatabases = checked((int)options.MaxDatabases),
            MaxReaders = checked((int)options.MaxReaders),
        };
        const UnixAccessMode Mode = UnixAccessMode.OwnerRead | UnixAccessMode.OwnerWrite | UnixAccessMode.GroupRead | UnixAccessMode.OtherRead;
        var lightning = OpenLightning(path, configuration, flags, Mode);
        try
        {
            // A file larger than the configured size keeps its own size.
            var env = new LmdbEnvironment(lightning, path, options);
            if (options.WriteMap)
            {
                env.ReserveDisk(env.MapSize);
            }
            // Clear readers left behind by a process that died.
            lightning.CheckStaleReaders();
            return env;
        }
        catch (LightningException e)
        {
            lightning.Dispose();
            throw LmdbException.From(e, "mdb_reader_check");
        }
        catch
        {
            lightning.Dispose();
            throw;
        }
    }

    /// <summary>Creates and opens a LightningDB environment; on failure nothing is left open.</summary>
    private static LightningEnvironment OpenLightning(string path, EnvironmentConfiguration configuration,
        EnvironmentOpenFlags flags, UnixAccessMode mode)
    {
        LightningEnvironment lightning;
        try
        {
            lightning = new LightningEnvironment(path, configuration);
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, "mdb_env_create");
        }
        // Closed by Dispose. LightningDB's finalizer throws, which would end the process.
        GC.SuppressFinalize(lightning);
        try
        {
            lightning.Open(flags, mode);
            return lightning;
        }
        catch (LightningException e)
        {
            // LightningDB closes only an environment that opened; mdb_env_open has already released the files.
            NativeLmdb.mdb_env_close(LightningHandles.Environment(lightning));
            lightning.Dispose();
            throw LmdbException.From(e, $"mdb_env_open({path})");
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
        AddUser();
        try
        {
            var txn = _lightning.BeginTransaction();
            GC.SuppressFinalize(txn);
            return new LmdbWriteTransaction(this, txn);
        }
        catch (LightningException e)
        {
            ReleaseUser();
            throw LmdbException.From(e, "mdb_txn_begin");
        }
    }

    /// <summary>
    /// Rents a read transaction over the latest committed state. Dispose it promptly: a live read
    /// transaction pins the pages it sees and stops LMDB from reusing them.
    /// </summary>
    public LmdbReadTransaction BeginRead()
    {
        EnterMap();
        LmdbReadTransaction? txn = null;
        try
        {
            if (!_readPool.TryTake(out txn))
            {
                return LmdbReadTransaction.Create(this);
            }
            txn.Renew();
            return txn;
        }
        catch
        {
            txn?.Close();
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
    /// Holds the map gate shared for work that reads the map or the environment. A reader announces itself in the
    /// gate before it checks for disposal and Dispose marks disposal before it waits out the readers, so either the
    /// reader sees the mark or Dispose waits for it.
    /// </summary>
    private void EnterMap()
    {
        ThrowIfDisposed();
        _mapGate.EnterShared();
        if (Volatile.Read(ref _disposed) != 0)
        {
            _mapGate.ExitShared();
            ThrowIfDisposed();
        }
    }

    private void AddUser()
    {
        var users = Volatile.Read(ref _users);
        while (true)
        {
            ObjectDisposedException.ThrowIf(users == 0 || Volatile.Read(ref _disposed) != 0, this);
            var seen = Interlocked.CompareExchange(ref _users, users + 1, users);
            if (seen == users)
            {
                return;
            }
            users = seen;
        }
    }

    internal void ReleaseUser()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            _lightning.Dispose();
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
        ReleaseUser();
    }
}
