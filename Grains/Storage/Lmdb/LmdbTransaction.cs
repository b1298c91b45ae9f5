using System.Runtime.CompilerServices;
using LightningDB;
using NativeLmdb = LightningDB.Native.Lmdb;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// What read and write transactions share: point reads and cursors. Spans returned by reads point
/// into the memory map and are valid only until the transaction ends or, in a write transaction,
/// until the next write.
/// </summary>
public abstract class LmdbTransaction
{
    private protected readonly LightningTransaction _txn;
    private protected readonly LmdbEnvironment _env;

    private protected LmdbTransaction(LmdbEnvironment env, LightningTransaction txn)
    {
        _env = env;
        _txn = txn;
    }

    public LmdbEnvironment Environment => _env;

    /// <summary>Reads the value of <paramref name="key"/>; false when absent. The value is not copied.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(LmdbDatabase db, scoped ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        var (rc, _, found) = _txn.Get(db.Database, key);
        if (rc == MDBResultCode.Success)
        {
            value = found.AsSpan();
            return true;
        }
        value = default;
        if (rc != MDBResultCode.NotFound)
        {
            LmdbException.Throw(rc, "mdb_get");
        }
        return false;
    }

    /// <summary>Number of entries in <paramref name="db"/> as of this transaction.</summary>
    public long Count(LmdbDatabase db)
    {
        try
        {
            return _txn.GetEntriesCount(db.Database);
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, "mdb_stat");
        }
    }

    /// <summary>Opens a cursor; dispose it before the transaction ends.</summary>
    public LmdbCursor OpenCursor(LmdbDatabase db)
    {
        try
        {
            return new LmdbCursor(_txn.CreateCursor(db.Database));
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, "mdb_cursor_open");
        }
    }

    /// <summary>Opens <paramref name="name"/>, or the main database that lists the named ones when it is null.</summary>
    internal LmdbDatabase OpenDatabase(string? name, bool create)
    {
        var configuration = new DatabaseConfiguration { Flags = create ? DatabaseOpenFlags.Create : DatabaseOpenFlags.None };
        try
        {
            var db = name is null ? _txn.OpenDatabase(configuration) : _txn.OpenDatabase(name, configuration);
            return new LmdbDatabase(db, name ?? "");
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, $"mdb_dbi_open({name})");
        }
    }

    /// <summary>Whether <paramref name="db"/> keeps sorted duplicates (MDB_DUPSORT).</summary>
    public bool IsDupSort(LmdbDatabase db)
    {
        try
        {
            return (db.Database.GetFlags(_txn) & DatabaseOpenFlags.DuplicatesSort) != 0;
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, "mdb_dbi_flags");
        }
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

    private LmdbReadTransaction(LmdbEnvironment env, LightningTransaction txn) : base(env, txn)
    {
    }

    internal static LmdbReadTransaction Create(LmdbEnvironment env)
    {
        LightningTransaction txn;
        try
        {
            txn = env.Lightning.BeginTransaction(TransactionBeginFlags.ReadOnly);
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, "mdb_txn_begin(read)");
        }
        // Closed by the environment. LightningDB's finalizer throws once the environment has closed.
        GC.SuppressFinalize(txn);
        return new LmdbReadTransaction(env, txn);
    }

    internal void Renew()
    {
        try
        {
            _txn.Renew();
        }
        catch (LightningException e)
        {
            throw LmdbException.From(e, "mdb_txn_renew");
        }
        Volatile.Write(ref _rented, 1);
    }

    internal void ResetForPool() => _txn.Reset();

    /// <summary>Frees the transaction, live, reset, or left reset by a failed renew. Called once.</summary>
    internal void Close()
    {
        if (_txn.State is LightningTransactionState.Reset or LightningTransactionState.Done)
        {
            // LightningDB aborts only a live transaction on dispose; a reset one still holds its MDB_txn.
            NativeLmdb.mdb_txn_abort(LightningHandles.Transaction(_txn));
        }
        _txn.Dispose();
    }

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
    // 1 until committed or aborted: the environment stays open until then.
    private int _live = 1;

    internal LmdbWriteTransaction(LmdbEnvironment env, LightningTransaction txn) : base(env, txn)
    {
    }

    /// <summary>Writes <paramref name="key"/> = <paramref name="value"/>, replacing any value.</summary>
    /// <exception cref="LmdbMapFullException">The map is full; abort, grow, and retry.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Put(LmdbDatabase db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        LmdbException.Check(_txn.Put(db.Database, key, value), "mdb_put");

    /// <summary>
    /// Writes <paramref name="key"/> = <paramref name="value"/> after every key of <paramref name="db"/> (MDB_APPEND):
    /// for loading keys in sorted order without searching the tree. A key that does not sort last fails.
    /// </summary>
    /// <exception cref="LmdbMapFullException">The map is full; abort, grow, and retry.</exception>
    public void Append(LmdbDatabase db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        LmdbException.Check(_txn.Put(db.Database, key, value, PutOptions.AppendData), "mdb_put(append)");

    /// <summary>
    /// Reserves <paramref name="length"/> bytes for the value of <paramref name="key"/> and returns them
    /// for the caller to fill before the next write (MDB_RESERVE): one copy instead of two.
    /// </summary>
    public Span<byte> Reserve(LmdbDatabase db, scoped ReadOnlySpan<byte> key, int length)
    {
        fixed (byte* k = key)
        {
            // LightningDB's Put passes the value by copy, so the address LMDB reserves would not come back.
            var mk = LightningHandles.Value(key.Length, k);
            var mv = LightningHandles.Value(length, null);
            var txn = LightningHandles.Transaction(_txn);
            var dbi = LightningHandles.Database(db.Database);
            LmdbException.Check(NativeLmdb.mdb_put(txn, dbi, ref mk, ref mv, PutOptions.ReserveSpace), "mdb_put(reserve)");
            return mv.AsWritableSpan();
        }
    }

    /// <summary>Deletes <paramref name="key"/>; false when it was absent.</summary>
    public bool Delete(LmdbDatabase db, ReadOnlySpan<byte> key)
    {
        var rc = _txn.Delete(db.Database, key);
        if (rc == MDBResultCode.NotFound)
        {
            return false;
        }
        LmdbException.Check(rc, "mdb_del");
        return true;
    }

    /// <summary>Removes every entry of <paramref name="db"/>, keeping the database.</summary>
    public void Clear(LmdbDatabase db) => LmdbException.Check(_txn.TruncateDatabase(db.Database), "mdb_drop");

    /// <summary>Commits; durable on return unless the environment was opened without sync on commit.</summary>
    public void Commit()
    {
        // LMDB frees the transaction whether or not the commit succeeds.
        var rc = _txn.Commit();
        End();
        LmdbException.Check(rc, "mdb_txn_commit");
    }

    /// <summary>Aborts unless already committed.</summary>
    public void Dispose()
    {
        if (Volatile.Read(ref _live) == 1)
        {
            _txn.Dispose();
            End();
        }
    }

    private void End()
    {
        if (Interlocked.Exchange(ref _live, 0) == 1)
        {
            _env.ReleaseUser();
        }
    }
}
