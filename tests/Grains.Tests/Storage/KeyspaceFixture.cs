using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;

namespace IceFire.Grains.Tests.Storage;

/// <summary>A keyspace in a fresh environment, reopenable to check what survived.</summary>
public sealed class KeyspaceFixture : IDisposable
{
    private readonly TempDirectory _dir = new("icefire-keyspace");

    public KeyspaceFixture()
    {
        Open(isNew: true);
    }

    public LmdbEnvironment Env { get; private set; } = null!;

    public RedisKeyspace Keyspace { get; private set; } = null!;

    public string Path => _dir.Path;

    public void Reopen()
    {
        Env.Dispose();
        Open(isNew: false);
    }

    /// <summary>Runs <paramref name="write"/> in one committed write transaction.</summary>
    public void Write(Action<LmdbWriteTransaction> write)
    {
        using var txn = Env.BeginWrite();
        write(txn);
        txn.Commit();
    }

    public void Dispose()
    {
        Env.Dispose();
        _dir.Dispose();
    }

    private void Open(bool isNew)
    {
        Env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false, InitialMapSize = 16L << 20 });
        Keyspace = RedisKeyspace.Open(Env, isNew);
    }
}
