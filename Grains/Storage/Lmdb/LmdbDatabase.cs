using LightningDB;

namespace IceFire.Grains.Storage.Lmdb;

/// <summary>
/// A named database inside an environment. LMDB's MDB_dbi is a small integer owned by the environment and valid
/// until the environment closes, so this is a value, not a handle that needs closing: the LightningDB object is
/// opened without close-on-dispose and never disposed.
/// </summary>
public readonly record struct LmdbDatabase(LightningDatabase Database, string Name);
