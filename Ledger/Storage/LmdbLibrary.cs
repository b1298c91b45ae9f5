using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LightningDB;
using NativeLmdb = LightningDB.Native.Lmdb;

namespace IceFire.Ledger.Storage;

/// <summary>
/// Points LightningDB at Debian's <c>liblmdb.so.0</c> (package liblmdb0). The copy of liblmdb that LightningDB ships
/// needs glibc 2.38 and is a newer LMDB than the one that wrote existing data files, so it is never loaded: every
/// environment IceFire opens is read and written by the system's LMDB 0.9. A DllImport resolver can be set only once
/// per assembly, so this class is the one place that sets it for the whole process (the ledger's stores and the
/// grains' tenant environments both call <see cref="EnsureLoaded"/> before their first LMDB call).
/// </summary>
public static class LmdbLibrary
{
    /// <summary>The library name LightningDB's P/Invoke declarations import.</summary>
    private const string ImportedName = "lmdb";

    private const string SystemLibrary = "liblmdb.so.0";

    static LmdbLibrary()
    {
        // The static constructor runs once per process, so the resolver is registered exactly once.
        NativeLibrary.SetDllImportResolver(typeof(LightningEnvironment).Assembly, Resolve);
    }

    /// <summary>Registers the resolver (once; later calls only check the library is loaded) and loads the library.</summary>
    /// <exception cref="DllNotFoundException">liblmdb.so.0 is not installed; the message says how to install it.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EnsureLoaded() => _ = NativeLmdb.mdb_version(out _, out _, out _);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != ImportedName)
        {
            return IntPtr.Zero;
        }
        if (NativeLibrary.TryLoad(SystemLibrary, assembly, path, out var handle))
        {
            return handle;
        }
        throw new DllNotFoundException(
            "LMDB is not installed: liblmdb.so.0 was not found. On Debian or Ubuntu run `apt-get install liblmdb0`.");
    }
}
