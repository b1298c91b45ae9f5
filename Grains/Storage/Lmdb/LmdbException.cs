using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>An LMDB call failed; <see cref="Exception.Message"/> carries LMDB's own text.</summary>
public class LmdbException : Exception
{
    public LmdbException(int code, string operation)
        : base($"{operation}: {Describe(code)} ({code})")
    {
        ErrorCode = code;
    }

    /// <summary>LMDB's return code (negative for LMDB's own errors, positive for errno values).</summary>
    public int ErrorCode { get; }

    /// <summary>True when the code says the file is not LMDB, is damaged, or was written by another version.</summary>
    public bool IsCorruption => ErrorCode is LmdbNative.MDB_CORRUPTED or LmdbNative.MDB_INVALID
        or LmdbNative.MDB_VERSION_MISMATCH or LmdbNative.MDB_PAGE_NOTFOUND or LmdbNative.MDB_PANIC;

    internal static string Describe(int code) => Marshal.PtrToStringUTF8(LmdbNative.mdb_strerror(code)) ?? "unknown error";

    [DoesNotReturn]
    internal static void Throw(int code, string operation)
    {
        if (code == LmdbNative.MDB_MAP_FULL)
        {
            throw new LmdbMapFullException(operation);
        }
        throw new LmdbException(code, operation);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static void Check(int code, string operation)
    {
        if (code != LmdbNative.MDB_SUCCESS)
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
    public LmdbMapFullException(string operation) : base(LmdbNative.MDB_MAP_FULL, operation)
    {
    }
}
