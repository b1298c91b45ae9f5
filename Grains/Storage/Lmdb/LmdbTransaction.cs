using System.Runtime.CompilerServices;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// What read and write transactions share: point reads and cursors. Spans returned by reads point
/// into the memory map and are valid only until the transaction ends or, in a write transaction,
/// until the next write.
/// </summary>
public abstract unsafe class LmdbTransaction
{
    private protected TransactionHandle _handle;
    private protected readonly LmdbEnvironment _env;

    private protected LmdbTransaction(LmdbEnvironment env, TransactionHandle handle)
    {
        _env = env;
        _handle = handle;
    }

    internal IntPtr Raw => _handle.DangerousGetHandle();

    public LmdbEnvironment Environment => _env;

    /// <summary>Reads the value of <paramref name="key"/>; false when absent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(LmdbDatabase db, scoped ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        {
            var mk = new MdbVal(k, key.Length);
            var rc = LmdbNative.mdb_get(Raw, db.Handle, ref mk, out var mv);
            if (rc == LmdbNative.MDB_NOTFOUND)
            {
                value = default;
                return false;
            }
            LmdbException.Check(rc, "mdb_get");
            value = mv.AsSpan();
            return true;
        }
    }

    /// <summary>Number of entries in <paramref name="db"/> as of this transaction.</summary>
    public long Count(LmdbDatabase db)
    {
        LmdbException.Check(LmdbNative.mdb_stat(Raw, db.Handle, out var stat), "mdb_stat");
        return (long)stat.Entries;
    }

    /// <summary>Opens a cursor; dispose it before the transaction ends.</summary>
    public LmdbCursor OpenCursor(LmdbDatabase db)
    {
        LmdbException.Check(LmdbNative.mdb_cursor_open(Raw, db.Handle, out var cursor), "mdb_cursor_open");
        return new LmdbCursor(cursor, ownsCursor: this is LmdbReadTransaction);
    }

    internal LmdbDatabase OpenDatabase(string? name, bool create)
    {
        LmdbException.Check(LmdbNative.mdb_dbi_open(Raw, name, create ? LmdbNative.MDB_CREATE : 0, out var dbi), $"mdb_dbi_open({name})");
        return new LmdbDatabase(dbi, name ?? "");
    }

    /// <summary>Whether <paramref name="db"/> keeps sorted duplicates (MDB_DUPSORT).</summary>
    public bool IsDupSort(LmdbDatabase db)
    {
        LmdbException.Check(LmdbNative.mdb_dbi_flags(Raw, db.Handle, out var flags), "mdb_dbi_flags");
        return (flags & LmdbNative.MDB_DUPSORT) != 0;
    }
}

/// <summary>
/// A pooled read transaction. Dispose returns it to the environment's pool (reset, not freed), so
/// renting one costs an mdb_txn_renew rather than an allocation.
/// </summary>
public sealed class LmdbReadTransaction : LmdbTransaction, IDisposable
{
    // 1 while rented: a second Dispose must not return the transaction to the pool twice.
    private int _rented = 1;

    private LmdbReadTransaction(LmdbEnvironment env, TransactionHandle handle) : base(env, handle)
    {
    }

    internal static LmdbReadTransaction Create(LmdbEnvironment env)
    {
        var handle = new TransactionHandle(env.Handle);
        var rc = LmdbNative.mdb_txn_begin(env.Raw, IntPtr.Zero, LmdbNative.MDB_RDONLY, out var txn);
        if (rc != 0)
        {
            handle.Dispose();
            LmdbException.Throw(rc, "mdb_txn_begin(read)");
        }
        handle.Set(txn);
        return new LmdbReadTransaction(env, handle);
    }

    internal void Renew()
    {
        LmdbException.Check(LmdbNative.mdb_txn_renew(Raw), "mdb_txn_renew");
        Volatile.Write(ref _rented, 1);
    }

    internal void ResetForPool() => LmdbNative.mdb_txn_reset(Raw);

    internal void Close() => _handle.Dispose();

    /// <summary>Ends the snapshot and returns the transaction to the pool; later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            _env.ReturnRead(this);
        }
    }
}

/// <summary>The environment's single write transaction. Commit or dispose (abort) on the thread that began it.</summary>
public sealed unsafe class LmdbWriteTransaction : LmdbTransaction, IDisposable
{
    internal LmdbWriteTransaction(LmdbEnvironment env, TransactionHandle handle) : base(env, handle)
    {
    }

    /// <summary>Writes <paramref name="key"/> = <paramref name="value"/>, replacing any value.</summary>
    /// <exception cref="LmdbMapFullException">The map is full; abort, grow, and retry.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(LmdbDatabase db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var mk = new MdbVal(k, key.Length);
            var mv = new MdbVal(v, value.Length);
            LmdbException.Check(LmdbNative.mdb_put(Raw, db.Handle, ref mk, ref mv, 0), "mdb_put");
        }
    }

    /// <summary>
    /// Writes <paramref name="key"/> = <paramref name="value"/> after every key of <paramref name="db"/> (MDB_APPEND):
    /// for loading keys in sorted order without searching the tree. A key that does not sort last fails.
    /// </summary>
    /// <exception cref="LmdbMapFullException">The map is full; abort, grow, and retry.</exception>
    public void Append(LmdbDatabase db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var mk = new MdbVal(k, key.Length);
            var mv = new MdbVal(v, value.Length);
            LmdbException.Check(LmdbNative.mdb_put(Raw, db.Handle, ref mk, ref mv, LmdbNative.MDB_APPEND), "mdb_put(append)");
        }
    }

    /// <summary>
    /// Reserves <paramref name="length"/> bytes for the value of <paramref name="key"/> and returns them
    /// for the caller to fill before the next write (MDB_RESERVE): one copy instead of two.
    /// </summary>
    public Span<byte> Reserve(LmdbDatabase db, scoped ReadOnlySpan<byte> key, int length)
    {
        const uint MdbReserve = 0x10000;
        fixed (byte* k = key)
        {
            var mk = new MdbVal(k, key.Length);
            var mv = new MdbVal(null, length);
            LmdbException.Check(LmdbNative.mdb_put(Raw, db.Handle, ref mk, ref mv, MdbReserve), "mdb_put(reserve)");
            return new Span<byte>(mv.Data, length);
        }
    }

    /// <summary>Deletes <paramref name="key"/>; false when it was absent.</summary>
    public bool Delete(LmdbDatabase db, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            var mk = new MdbVal(k, key.Length);
            var rc = LmdbNative.mdb_del(Raw, db.Handle, ref mk, IntPtr.Zero);
            if (rc == LmdbNative.MDB_NOTFOUND)
            {
                return false;
            }
            LmdbException.Check(rc, "mdb_del");
            return true;
        }
    }

    /// <summary>Removes every entry of <paramref name="db"/>, keeping the database.</summary>
    public void Clear(LmdbDatabase db) => LmdbException.Check(LmdbNative.mdb_drop(Raw, db.Handle, 0), "mdb_drop");

    /// <summary>Commits; durable on return unless the environment was opened without sync on commit.</summary>
    public void Commit()
    {
        var raw = Raw;
        _handle.MarkEnded();
        _handle.Dispose();
        LmdbException.Check(LmdbNative.mdb_txn_commit(raw), "mdb_txn_commit");
    }

    /// <summary>Aborts unless already committed.</summary>
    public void Dispose() => _handle.Dispose();
}
