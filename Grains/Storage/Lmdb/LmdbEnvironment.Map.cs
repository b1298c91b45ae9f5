using System.Runtime.InteropServices;
using LightningDB;
using LightningDB.Native;
using NativeLmdb = LightningDB.Native.Lmdb;

namespace IceFire.Grains.Storage.Lmdb;

public sealed partial class LmdbEnvironment
{
    /// <summary>
    /// Grows the map after <see cref="LmdbMapFullException"/>: doubles it up to 1 GiB, then adds 1 GiB at a time.
    /// Must be called with no write transaction open; waits for live readers to finish.
    /// </summary>
    public void Grow(long atLeast = 0)
    {
        _mapGate.EnterExclusive();
        try
        {
            ThrowIfDisposed();
            var current = Interlocked.Read(ref _mapSize);
            var next = current < (1L << 30) ? current * 2 : current + (1L << 30);
            next = Math.Max(next, atLeast);
            SetMapSize(next);
            var grown = (long)Info().me_mapsize;
            if (Options.WriteMap)
            {
                try
                {
                    ReserveDisk(grown);
                }
                catch (LmdbException)
                {
                    // Back to the size whose disk is reserved; LMDB truncates the file to it again.
                    SetMapSize(current);
                    throw;
                }
            }
            Interlocked.Exchange(ref _mapSize, grown);
        }
        finally
        {
            _mapGate.ExitExclusive();
        }
    }

    private void SetMapSize(long size)
    {
        try
        {
            _lightning.MapSize = size;
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, $"mdb_env_set_mapsize({size})");
        }
    }

    /// <summary>
    /// Allocates the disk blocks behind the first <paramref name="length"/> bytes of the data file. With a
    /// writable map, a store to a page whose block the file system cannot allocate is a SIGBUS, not an error.
    /// </summary>
    private void ReserveDisk(long length)
    {
        LmdbException.Check(NativeLmdb.mdb_env_get_fd(LightningHandles.Environment(_lightning), out var fd), "mdb_env_get_fd");
        var rc = PosixFallocate((int)fd, 0, length);
        if (rc != 0)
        {
            throw new LmdbException(rc, $"posix_fallocate(data.mdb, {length})");
        }
    }

    /// <summary>posix_fallocate(3), which .NET does not expose for an open file: returns 0 or an errno value.</summary>
    [LibraryImport("libc.so.6", EntryPoint = "posix_fallocate")]
    private static partial int PosixFallocate(int fd, long offset, long length);

    /// <summary>Where the map lies in memory now; spans inside it move when the map grows or a write relocates a page.</summary>
    public (nint Start, long Length) MapRange
    {
        get
        {
            var info = Info();
            return (info.me_mapaddr, (long)info.me_mapsize);
        }
    }

    /// <summary>
    /// Flushes committed data to disk (fdatasync, or msync(MS_SYNC) with a write map), for environments opened
    /// without sync on commit. Any thread may call it while the writer works; it keeps the map from being
    /// resized under the flush, so do not call it while holding a read transaction.
    /// </summary>
    public void Sync()
    {
        EnterMap();
        try
        {
            LmdbException.Check(_lightning.Flush(force: true), "mdb_env_sync");
        }
        finally
        {
            _mapGate.ExitShared();
        }
    }

    /// <summary>Writes a consistent copy of the environment to <paramref name="directory"/> (compacting).</summary>
    public void CopyTo(string directory)
    {
        ThrowIfDisposed();
        Directory.CreateDirectory(directory);
        LmdbException.Check(_lightning.CopyTo(directory, compact: true), $"mdb_env_copy2({directory})");
    }

    /// <summary>
    /// The id of the last committed write transaction: grows by one with every commit and survives restarts.
    /// Safe to read while another thread closes the environment: it then throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public long LastTransactionId
    {
        get
        {
            AddUser();
            try
            {
                return (long)Info().me_last_txnid;
            }
            finally
            {
                ReleaseUser();
            }
        }
    }

    /// <summary>Bytes of the data file in use (last page times page size).</summary>
    public long UsedBytes
    {
        get
        {
            var info = Info();
            LmdbException.Check(NativeLmdb.mdb_env_stat(LightningHandles.Environment(_lightning), out var stat), "mdb_env_stat");
            return ((long)info.me_last_pgno + 1) * stat.ms_psize;
        }
    }

    /// <summary>
    /// mdb_env_info without an allocation; LightningDB's <see cref="LightningEnvironment.Info"/> leaves out the map's
    /// address and allocates a result on every call.
    /// </summary>
    private MDBEnvInfo Info()
    {
        LmdbException.Check(NativeLmdb.mdb_env_info(LightningHandles.Environment(_lightning), out var info), "mdb_env_info");
        return info;
    }
}
