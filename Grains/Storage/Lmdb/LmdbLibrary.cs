using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LightningDB;
using NativeLmdb = LightningDB.Native.Lmdb;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// Points LightningDB at Debian's <c>liblmdb.so.0</c> (package liblmdb0). The copy of liblmdb that LightningDB ships
/// needs glibc 2.38 and is a newer LMDB than the one that wrote existing data files, so it is never loaded: every
/// environment IceFire opens is read and written by the system's LMDB 0.9. The resolver is registered before the
/// first LMDB call, which goes through <see cref="EnsureLoaded"/>.
/// </summary>
internal static class LmdbLibrary
{
    /// <summary>The library name LightningDB's P/Invoke declarations import.</summary>
    private const string ImportedName = "lmdb";

    private const string SystemLibrary = "liblmdb.so.0";

    static LmdbLibrary()
    {
        NativeLibrary.SetDllImportResolver(typeof(LightningEnvironment).Assembly, Resolve);
    }

    /// <summary>Registers the resolver (once) and loads the library.</summary>
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
