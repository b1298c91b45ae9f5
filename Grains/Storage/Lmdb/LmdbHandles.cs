using System.Runtime.InteropServices;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>Owns an MDB_env*; closing it closes every database handle opened in it.</summary>
internal sealed class EnvironmentHandle : SafeHandle
{
    public EnvironmentHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public void Set(IntPtr env) => SetHandle(env);

    protected override bool ReleaseHandle()
    {
        LmdbNative.mdb_env_close(handle);
        return true;
    }
}

/// <summary>
/// Owns an MDB_txn*. Holds a reference on the environment handle so the environment cannot be
/// closed under a live transaction. Releasing an unfinished transaction aborts it.
/// </summary>
internal sealed class TransactionHandle : SafeHandle
{
    private readonly EnvironmentHandle _env;
    private bool _envRef;

    public TransactionHandle(EnvironmentHandle env) : base(IntPtr.Zero, ownsHandle: true)
    {
        _env = env;
        _env.DangerousAddRef(ref _envRef);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Marks the transaction as ended by commit or abort so release does not abort it again.</summary>
    public void MarkEnded() => SetHandle(IntPtr.Zero);

    public void Set(IntPtr txn) => SetHandle(txn);

    protected override bool ReleaseHandle()
    {
        LmdbNative.mdb_txn_abort(handle);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (_envRef)
        {
            _envRef = false;
            _env.DangerousRelease();
        }
    }
}

/// <summary>Owns an MDB_cursor* of a read transaction (LMDB frees write-transaction cursors itself).</summary>
internal sealed class CursorHandle : SafeHandle
{
    public CursorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public void Set(IntPtr cursor) => SetHandle(cursor);

    /// <summary>Forgets the pointer without closing it (LMDB already freed it with its write transaction).</summary>
    public void Forget() => SetHandle(IntPtr.Zero);

    protected override bool ReleaseHandle()
    {
        LmdbNative.mdb_cursor_close(handle);
        return true;
    }
}
