using LightningDB;

namespace IceFire.Ledger.Storage;

/// <summary>Point reads, writes and prefix scans over one LightningDB transaction, failing loudly on LMDB errors.</summary>
internal static class StoreAccess
{
    public static bool TryRead(this LightningTransaction txn, LightningDatabase db, ReadOnlySpan<byte> key, out byte[] value)
    {
        var (code, _, found) = txn.Get(db, key);
        if (code == MDBResultCode.NotFound)
        {
            value = [];
            return false;
        }
        LedgerStore.Check(code, "mdb_get");
        value = found.CopyToNewArray();
        return true;
    }

    public static bool Has(this LightningTransaction txn, LightningDatabase db, ReadOnlySpan<byte> key)
    {
        var (code, _, _) = txn.Get(db, key);
        if (code == MDBResultCode.NotFound)
        {
            return false;
        }
        LedgerStore.Check(code, "mdb_get");
        return true;
    }

    public static void Set(this LightningTransaction txn, LightningDatabase db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        LedgerStore.Check(txn.Put(db, key, value, PutOptions.None), "mdb_put");

    /// <summary>Deletes <paramref name="key"/>; false when it was absent.</summary>
    public static bool Remove(this LightningTransaction txn, LightningDatabase db, ReadOnlySpan<byte> key)
    {
        var code = txn.Delete(db, key);
        if (code == MDBResultCode.NotFound)
        {
            return false;
        }
        LedgerStore.Check(code, "mdb_del");
        return true;
    }

    /// <summary>Every key that starts with <paramref name="prefix"/>, in key order, with the prefix cut off.</summary>
    public static List<byte[]> SuffixesAfter(this LightningTransaction txn, LightningDatabase db, ReadOnlySpan<byte> prefix)
    {
        var found = new List<byte[]>();
        using var cursor = txn.CreateCursor(db);
        var code = cursor.SetRange(prefix);
        if (code == MDBResultCode.NotFound)
        {
            return found;
        }
        LedgerStore.Check(code, "mdb_cursor_get(set_range)");
        var (c, key, _) = cursor.GetCurrent();
        while (c == MDBResultCode.Success)
        {
            var span = key.AsSpan();
            if (!span.StartsWith(prefix))
            {
                break;
            }
            found.Add(span[prefix.Length..].ToArray());
            (c, key, _) = cursor.Next();
        }
        if (c is not (MDBResultCode.Success or MDBResultCode.NotFound))
        {
            LedgerStore.Check(c, "mdb_cursor_get(next)");
        }
        return found;
    }

    /// <summary>Every key and value at or after <paramref name="from"/>, in key order.</summary>
    public static List<(byte[] Key, byte[] Value)> From(this LightningTransaction txn, LightningDatabase db, ReadOnlySpan<byte> from)
    {
        var found = new List<(byte[], byte[])>();
        using var cursor = txn.CreateCursor(db);
        var (c, key, value) = from.IsEmpty ? cursor.First() : Seek(cursor, from);
        while (c == MDBResultCode.Success)
        {
            found.Add((key.CopyToNewArray(), value.CopyToNewArray()));
            (c, key, value) = cursor.Next();
        }
        if (c != MDBResultCode.NotFound)
        {
            LedgerStore.Check(c, "mdb_cursor_get");
        }
        return found;
    }

    private static (MDBResultCode, MDBValue, MDBValue) Seek(LightningCursor cursor, ReadOnlySpan<byte> from)
    {
        var code = cursor.SetRange(from);
        return code == MDBResultCode.Success ? cursor.GetCurrent() : (code, default, default);
    }
}
