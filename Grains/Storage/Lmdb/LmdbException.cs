using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LightningDB;
using NativeLmdb = LightningDB.Native.Lmdb;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// An LMDB call failed. <see cref="Exception.Message"/> names the call and carries LMDB's own text and code, e.g.
/// <c>mdb_env_open(/data/t): MDB_INVALID: File is not an LMDB file (-30793)</c>.
/// </summary>
public class LmdbException : Exception
{
    public LmdbException(int code, string operation)
        : base($"{operation}: {Describe(code)} ({code})")
    {
        ErrorCode = code;
    }

    private LmdbException(int code, string operation, Exception inner)
        : base($"{operation}: {Describe(code)} ({code})", inner)
    {
        ErrorCode = code;
    }

    /// <summary>LMDB's return code (negative for LMDB's own errors, positive for errno values); see <see cref="MDBResultCode"/>.</summary>
    public int ErrorCode { get; }

    /// <summary>True when the code says the file is not LMDB, is damaged, or was written by another version.</summary>
    public bool IsCorruption => (MDBResultCode)ErrorCode is MDBResultCode.Corrupted or MDBResultCode.Invalid
        or MDBResultCode.VersionMismatch or MDBResultCode.PageNotFound or MDBResultCode.Panic;

    internal static string Describe(int code)
    {
        LmdbLibrary.EnsureLoaded();
        return Marshal.PtrToStringUTF8(NativeLmdb.mdb_strerror(code)) ?? "unknown error";
    }

    /// <summary>
    /// The same failure as one of ours. LightningDB throws for the calls it checks itself (opening an environment,
    /// beginning or renewing a transaction); its exception keeps the code, on itself or on its inner exception.
    /// </summary>
    internal static LmdbException From(LightningException error, string operation)
    {
        var code = error.StatusCode != 0 ? error.StatusCode : (error.InnerException as LightningException)?.StatusCode ?? 0;
        if (code == (int)MDBResultCode.MapFull)
        {
            return new LmdbMapFullException(operation);
        }
        return new LmdbException(code, operation, error);
    }

    [DoesNotReturn]
    internal static void Throw(MDBResultCode code, string operation)
    {
        if (code == MDBResultCode.MapFull)
        {
            throw new LmdbMapFullException(operation);
        }
        throw new LmdbException((int)code, operation);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(MDBResultCode code, string operation)
    {
        if (code != MDBResultCode.Success)
        {
            Throw(code, operation);
        }
    }
}

/// <summary>
/// The map is full. The write transaction that saw it is unusable: abort it, grow the map
/// (<see cref="LmdbEnvironment.Grow"/>) and run the same writes again.
/// </summary>
public sealed class LmdbMapFullException : LmdbException
{
    public LmdbMapFullException(string operation) : base((int)MDBResultCode.MapFull, operation)
    {
    }
}
