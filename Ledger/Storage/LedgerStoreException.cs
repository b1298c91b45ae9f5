using System.Diagnostics.CodeAnalysis;
using LightningDB;

namespace IceFire.Ledger.Storage;

/// <summary>LMDB failed under the ledger: a full map, a damaged file, an I/O error. The store cannot go on.</summary>
public sealed class LedgerStoreException : Exception
{
    public LedgerStoreException(string message) : base(message)
    {
    }

    public LedgerStoreException(string message, Exception inner) : base(message, inner)
    {
    }

    [DoesNotReturn]
    internal static void Throw(MDBResultCode code, string operation) =>
        throw new LedgerStoreException($"{operation} failed: {code} ({(int)code})");
}
