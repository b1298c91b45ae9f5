using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>LMDB's value descriptor: a length and a pointer into the map or the caller's memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MdbVal
{
    public nuint Size;
    public byte* Data;

    public MdbVal(byte* data, int size)
    {
        Data = data;
        Size = (nuint)size;
    }

    public readonly ReadOnlySpan<byte> AsSpan() => new(Data, checked((int)Size));
}

[StructLayout(LayoutKind.Sequential)]
internal struct MdbStat
{
    public uint PageSize;
    public uint Depth;
    public nuint BranchPages;
    public nuint LeafPages;
    public nuint OverflowPages;
    public nuint Entries;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MdbEnvInfo
{
    public nint MapAddress;
    public nuint MapSize;
    public nuint LastPage;
    public nuint LastTxnId;
    public uint MaxReaders;
    public uint NumReaders;
}

/// <summary>
/// P/Invoke declarations for liblmdb 0.9.x. The library is Debian's <c>liblmdb.so.0</c>; the resolver
/// below maps the logical name so the -dev package (which provides <c>liblmdb.so</c>) is not needed.
/// </summary>
internal static unsafe partial class LmdbNative
{
    private const string Lib = "lmdb";
    private const string LibC = "libc";

    // Return codes (lmdb.h).
    public const int MDB_SUCCESS = 0;
    public const int MDB_KEYEXIST = -30799;
    public const int MDB_NOTFOUND = -30798;
    public const int MDB_PAGE_NOTFOUND = -30797;
    public const int MDB_CORRUPTED = -30796;
    public const int MDB_PANIC = -30795;
    public const int MDB_VERSION_MISMATCH = -30794;
    public const int MDB_INVALID = -30793;
    public const int MDB_MAP_FULL = -30792;
    public const int MDB_DBS_FULL = -30791;
    public const int MDB_READERS_FULL = -30790;
    public const int MDB_MAP_RESIZED = -30785;
    public const int MDB_BAD_TXN = -30782;
    public const int MDB_BAD_VALSIZE = -30781;

    // Environment flags.
    public const uint MDB_NOSUBDIR = 0x4000;
    public const uint MDB_NOSYNC = 0x10000;
    public const uint MDB_WRITEMAP = 0x80000;
    public const uint MDB_RDONLY = 0x20000;
    public const uint MDB_NOMETASYNC = 0x40000;
    public const uint MDB_NOTLS = 0x200000;
    public const uint MDB_NORDAHEAD = 0x800000;
    public const uint MDB_NOLOCK = 0x400000;

    // Copy flags (mdb_env_copy2).
    public const uint MDB_CP_COMPACT = 0x01;

    // Database flags.
    public const uint MDB_CREATE = 0x40000;

    // Write flags.
    public const uint MDB_NOOVERWRITE = 0x10;
    public const uint MDB_APPEND = 0x20000;

    // Database flags reported by mdb_dbi_flags.
    public const uint MDB_DUPSORT = 0x04;

    static LmdbNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(LmdbNative).Assembly, Resolve);
    }

    /// <summary>Forces the static constructor (and so the resolver) to run before the first call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EnsureLoaded() => _ = mdb_version(out _, out _, out _);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name == LibC)
        {
            // libc.so is a linker script on glibc systems; the loader needs the real object.
            return NativeLibrary.TryLoad("libc.so.6", assembly, path, out var libc) ? libc : IntPtr.Zero;
        }
        if (name != Lib)
        {
            return IntPtr.Zero;
        }
        foreach (var candidate in new[] { "liblmdb.so.0", "liblmdb.so", "lmdb" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle))
            {
                return handle;
            }
        }
        throw new DllNotFoundException(
            "LMDB is not installed: liblmdb.so.0 was not found. On Debian or Ubuntu run `apt-get install liblmdb0`.");
    }

    [LibraryImport(Lib)] public static partial IntPtr mdb_version(out int major, out int minor, out int patch);
    [LibraryImport(Lib)] public static partial IntPtr mdb_strerror(int err);
    [LibraryImport(Lib)] public static partial int mdb_env_create(out IntPtr env);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mdb_env_open(IntPtr env, string path, uint flags, uint mode);
    [LibraryImport(Lib)] public static partial void mdb_env_close(IntPtr env);
    [LibraryImport(Lib)] public static partial int mdb_env_set_mapsize(IntPtr env, nuint size);
    [LibraryImport(Lib)] public static partial int mdb_env_set_maxdbs(IntPtr env, uint dbs);
    [LibraryImport(Lib)] public static partial int mdb_env_set_maxreaders(IntPtr env, uint readers);
    [LibraryImport(Lib)] public static partial int mdb_env_sync(IntPtr env, int force);
    [LibraryImport(Lib)] public static partial int mdb_env_info(IntPtr env, out MdbEnvInfo info);
    [LibraryImport(Lib)] public static partial int mdb_env_stat(IntPtr env, out MdbStat stat);
    [LibraryImport(Lib)] public static partial int mdb_env_set_flags(IntPtr env, uint flags, int onoff);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mdb_env_copy2(IntPtr env, string path, uint flags);
    /// <summary>mdb_env_copyfd2: a consistent copy of the environment's data file, written to an open file descriptor.</summary>
    [LibraryImport(Lib)] public static partial int mdb_env_copyfd2(IntPtr env, int fd, uint flags);
    [LibraryImport(Lib)] public static partial int mdb_reader_check(IntPtr env, out int dead);
    [LibraryImport(Lib)] public static partial int mdb_env_get_fd(IntPtr env, out int fd);

    /// <summary>posix_fallocate(3): returns 0 or an errno value (it does not set errno).</summary>
    [LibraryImport(LibC)] public static partial int posix_fallocate(int fd, long offset, long length);

    [LibraryImport(Lib)] public static partial int mdb_txn_begin(IntPtr env, IntPtr parent, uint flags, out IntPtr txn);
    [LibraryImport(Lib)] public static partial int mdb_txn_commit(IntPtr txn);
    [LibraryImport(Lib)] public static partial void mdb_txn_abort(IntPtr txn);
    [LibraryImport(Lib)] public static partial void mdb_txn_reset(IntPtr txn);
    [LibraryImport(Lib)] public static partial int mdb_txn_renew(IntPtr txn);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mdb_dbi_open(IntPtr txn, string? name, uint flags, out uint dbi);
    [LibraryImport(Lib)] public static partial int mdb_stat(IntPtr txn, uint dbi, out MdbStat stat);
    [LibraryImport(Lib)] public static partial int mdb_dbi_flags(IntPtr txn, uint dbi, out uint flags);
    [LibraryImport(Lib)] public static partial int mdb_drop(IntPtr txn, uint dbi, int del);

    [LibraryImport(Lib)] public static partial int mdb_get(IntPtr txn, uint dbi, ref MdbVal key, out MdbVal data);
    [LibraryImport(Lib)] public static partial int mdb_put(IntPtr txn, uint dbi, ref MdbVal key, ref MdbVal data, uint flags);
    [LibraryImport(Lib)] public static partial int mdb_del(IntPtr txn, uint dbi, ref MdbVal key, IntPtr data);

    [LibraryImport(Lib)] public static partial int mdb_cursor_open(IntPtr txn, uint dbi, out IntPtr cursor);
    [LibraryImport(Lib)] public static partial void mdb_cursor_close(IntPtr cursor);
    [LibraryImport(Lib)] public static partial int mdb_cursor_renew(IntPtr txn, IntPtr cursor);
    [LibraryImport(Lib)] public static partial int mdb_cursor_get(IntPtr cursor, ref MdbVal key, ref MdbVal data, CursorOp op);
    [LibraryImport(Lib)] public static partial int mdb_cursor_del(IntPtr cursor, uint flags);
}

/// <summary>Cursor operations (MDB_cursor_op); only the ones used by this binding.</summary>
internal enum CursorOp
{
    First = 0,
    GetCurrent = 4,
    Last = 6,
    Next = 8,
    Prev = 12,
    Set = 15,
    SetKey = 16,
    SetRange = 17,
}
