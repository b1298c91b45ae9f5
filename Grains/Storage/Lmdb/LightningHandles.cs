using System.Runtime.CompilerServices;
using LightningDB;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// The raw LMDB pointers inside LightningDB's objects, for the few calls that LightningDB's object model does not
/// carry and that therefore go to <see cref="LightningDB.Native.Lmdb"/> directly: <c>mdb_put</c> with MDB_RESERVE
/// (whose reserved address comes back through the data <c>MDB_val</c>, which <see cref="LightningTransaction.Put(LightningDatabase, ReadOnlySpan{byte}, ReadOnlySpan{byte}, PutOptions)"/>
/// passes by value) and <c>mdb_env_info</c> (whose map address <see cref="EnvironmentInfo"/> leaves out).
/// The fields are LightningDB 0.24's; a version that renames them fails the storage tests with MissingFieldException.
/// </summary>
internal static unsafe class LightningHandles
{
    /// <summary>The MDB_env* of an environment.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_handle")]
    public static extern ref nint Environment(LightningEnvironment environment);

    /// <summary>The MDB_txn* of a transaction; zero once it has been disposed.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_handle")]
    public static extern ref nint Transaction(LightningTransaction transaction);

    /// <summary>The MDB_dbi of a database.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_handle")]
    public static extern ref uint Database(LightningDatabase database);

    /// <summary>An <c>MDB_val</c> over <paramref name="length"/> bytes at <paramref name="data"/>.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    public static extern MDBValue Value(int length, byte* data);
}
