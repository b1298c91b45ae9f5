namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// An ordered walk over one database. Keys and values returned point into the map and are valid
/// until the cursor moves or its transaction writes or ends. Dispose before the transaction ends.
/// </summary>
public sealed unsafe class LmdbCursor : IDisposable
{
    private readonly CursorHandle _handle = new();
    private readonly bool _ownsCursor;
    private MdbVal _key;
    private MdbVal _value;

    internal LmdbCursor(IntPtr cursor, bool ownsCursor)
    {
        _handle.Set(cursor);
        _ownsCursor = ownsCursor;
    }

    public ReadOnlySpan<byte> Key => _key.AsSpan();

    public ReadOnlySpan<byte> Value => _value.AsSpan();

    /// <summary>Moves to the first entry; false when the database is empty.</summary>
    public bool First() => Move(CursorOp.First);

    public bool Last() => Move(CursorOp.Last);

    public bool Next() => Move(CursorOp.Next);

    public bool Prev() => Move(CursorOp.Prev);

    /// <summary>Moves to the first entry whose key is at or after <paramref name="key"/>.</summary>
    public bool SeekAtOrAfter(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            _key = new MdbVal(k, key.Length);
            return Move(CursorOp.SetRange);
        }
    }

    /// <summary>Moves to exactly <paramref name="key"/>.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            _key = new MdbVal(k, key.Length);
            return Move(CursorOp.SetKey);
        }
    }

    /// <summary>Deletes the entry under the cursor (write transactions only).</summary>
    public void DeleteCurrent() => LmdbException.Check(LmdbNative.mdb_cursor_del(_handle.DangerousGetHandle(), 0), "mdb_cursor_del");

    private bool Move(CursorOp op)
    {
        var rc = LmdbNative.mdb_cursor_get(_handle.DangerousGetHandle(), ref _key, ref _value, op);
        if (rc == LmdbNative.MDB_NOTFOUND)
        {
            _key = default;
            _value = default;
            return false;
        }
        LmdbException.Check(rc, "mdb_cursor_get");
        return true;
    }

    public void Dispose()
    {
        if (_ownsCursor)
        {
            _handle.Dispose();
        }
        else
        {
            // LMDB frees a write transaction's cursors with the transaction; closing early is also allowed.
            if (!_handle.IsInvalid)
            {
                LmdbNative.mdb_cursor_close(_handle.DangerousGetHandle());
            }
            _handle.Forget();
            _handle.Dispose();
        }
    }
}
