using System.Runtime.InteropServices;
using IceFire.Ledger.Storage;
using LightningDB;

namespace IceFire.Ledger.Tests;

/// <summary>The one LightningDB resolver of the process loads the system's LMDB 0.9.</summary>
public sealed class LmdbLibraryTests
{
    [Fact]
    public void LoadsTheSystemLmdbAndOwnsTheOnlyResolver()
    {
        LmdbLibrary.EnsureLoaded();
        LmdbLibrary.EnsureLoaded();
        LightningDB.Native.Lmdb.mdb_version(out var major, out var minor, out _);
        Assert.Equal((0, 9), (major, minor));
        // A second resolver for LightningDB cannot be set: every LMDB user in the process must go through this one.
        Assert.Throws<InvalidOperationException>(() =>
            NativeLibrary.SetDllImportResolver(typeof(LightningEnvironment).Assembly, (_, _, _) => IntPtr.Zero));
    }
}
