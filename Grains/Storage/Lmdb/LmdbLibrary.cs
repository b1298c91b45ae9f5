using System.Runtime.CompilerServices;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// Loads Debian's <c>liblmdb.so.0</c> for LightningDB before the first LMDB call. The DllImport resolver lives in
/// <see cref="IceFire.Ledger.Storage.LmdbLibrary"/>: it can be registered only once per process, and the ledger's
/// stores need it too.
/// </summary>
internal static class LmdbLibrary
{
    /// <summary>Registers the resolver (once) and loads the library.</summary>
    /// <exception cref="DllNotFoundException">liblmdb.so.0 is not installed; the message says how to install it.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void EnsureLoaded() => IceFire.Ledger.Storage.LmdbLibrary.EnsureLoaded();
}
