using LightningDB;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// An ordered walk over one database. Keys and values returned point into the map and are valid
/// until the cursor moves or its transaction writes or ends. Dispose before the transaction ends.
/// </summary>
public sealed class LmdbCursor : IDisposable
{
    private readonly LightningCursor _cursor;
    private MDBValue _key;
    private MDBValue _value;

    internal LmdbCursor(LightningCursor cursor)
    {
        _cursor = cursor;
        // Closed by Dispose. LightningDB's finalizer throws for a read cursor whose transaction was reset, which
        // would end the process; a cursor that is never disposed only leaks its few bytes.
        GC.SuppressFinalize(cursor);
    }

    public ReadOnlySpan<byte> Key => _key.AsSpan();

    public ReadOnlySpan<byte> Value => _value.AsSpan();

    /// <summary>Moves to the first entry; false when the database is empty.</summary>
    public bool First() => Moved(_cursor.First(), "mdb_cursor_get(first)");

    public bool Last() => Moved(_cursor.Last(), "mdb_cursor_get(last)");

    public bool Next() => Moved(_cursor.Next(), "mdb_cursor_get(next)");

    public bool Prev() => Moved(_cursor.Previous(), "mdb_cursor_get(prev)");

    /// <summary>Moves to the first entry whose key is at or after <paramref name="key"/>.</summary>
    public bool SeekAtOrAfter(ReadOnlySpan<byte> key)
    {
        // LightningDB's SetRange reports only the code; the entry it landed on is read back.
        var rc = _cursor.SetRange(key);
        if (rc != MDBResultCode.Success)
        {
            return Moved((rc, default, default), "mdb_cursor_get(set_range)");
        }
        return Moved(_cursor.GetCurrent(), "mdb_cursor_get(get_current)");
    }

    /// <summary>Moves to exactly <paramref name="key"/>.</summary>
    public bool Seek(ReadOnlySpan<byte> key) => Moved(_cursor.SetKey(key), "mdb_cursor_get(set_key)");

    /// <summary>Deletes the entry under the cursor (write transactions only).</summary>
    public void DeleteCurrent() => LmdbException.Check(_cursor.Delete(), "mdb_cursor_del");

    private bool Moved((MDBResultCode Code, MDBValue Key, MDBValue Value) result, string operation)
    {
        if (result.Code == MDBResultCode.NotFound)
        {
            _key = default;
            _value = default;
            return false;
        }
        LmdbException.Check(result.Code, operation);
        _key = result.Key;
        _value = result.Value;
        return true;
    }

    /// <summary>
    /// Closes the cursor. A write transaction's cursors are freed by LMDB with the transaction, so after its commit
    /// or abort this only forgets the cursor.
    /// </summary>
    public void Dispose() => _cursor.Dispose();
}
