using System.Text;
using IceFire.Grains.Storage.Lmdb;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class LmdbEnvironmentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "icefire-lmdb-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void CommittedWritesSurviveReopen()
    {
        using (var env = LmdbEnvironment.Open(_dir))
        {
            var db = env.OpenDatabase("t");
            using var txn = env.BeginWrite();
            txn.Put(db, "k"u8, "v"u8);
            txn.Commit();
        }
        using (var env = LmdbEnvironment.Open(_dir))
        {
            var db = env.OpenDatabase("t");
            using var read = env.BeginRead();
            Assert.True(read.TryGet(db, "k"u8, out var value));
            Assert.Equal("v", Encoding.ASCII.GetString(value));
        }
    }
}
