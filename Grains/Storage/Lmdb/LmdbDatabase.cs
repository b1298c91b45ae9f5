namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// A named database inside an environment. LMDB's MDB_dbi is a small integer owned by the environment
/// and valid until the environment closes, so this is a value, not a handle that needs closing.
/// </summary>
public readonly record struct LmdbDatabase(uint Handle, string Name);
