using System.Text;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class LmdbEnvironmentTests : IDisposable
{
    private static readonly LmdbEnvironmentOptions Fast = new() { SyncOnCommit = false };
    private readonly TempDirectory _dir = new("icefire-lmdb");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void CommittedWritesSurviveReopen()
    {
        using (var env = LmdbEnvironment.Open(_dir.Path))
        {
            var db = env.OpenDatabase("t");
            using var txn = env.BeginWrite();
            txn.Put(db, "k"u8, "v"u8);
            txn.Commit();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path))
        {
            var db = env.OpenDatabase("t");
            using var read = env.BeginRead();
            Assert.True(read.TryGet(db, "k"u8, out var value));
            Assert.Equal("v", Encoding.ASCII.GetString(value));
        }
    }

    [Fact]
    public void DisposingWithoutCommitDiscardsTheWrites()
    {
        using (var env = LmdbEnvironment.Open(_dir.Path, Fast))
        {
            var db = env.OpenDatabase("t");
            using (var txn = env.BeginWrite())
            {
                txn.Put(db, "kept"u8, "1"u8);
                txn.Commit();
            }
            using (var txn = env.BeginWrite())
            {
                txn.Put(db, "dropped"u8, "2"u8);
                Assert.True(txn.Delete(db, "kept"u8));
                Assert.True(txn.TryGet(db, "dropped"u8, out _), "a write transaction sees its own writes");
            }
            using var read = env.BeginRead();
            Assert.False(read.TryGet(db, "dropped"u8, out _));
            Assert.True(read.TryGet(db, "kept"u8, out _));
            env.Sync();
        }
        using (var env = LmdbEnvironment.Open(_dir.Path, Fast))
        {
            var db = env.OpenDatabase("t");
            using var read = env.BeginRead();
            Assert.False(read.TryGet(db, "dropped"u8, out _));
            Assert.Equal(1, read.Count(db));
        }
    }

    [Fact]
    public void ReadTransactionsArePooled()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, Fast);
        var db = env.OpenDatabase("t");
        var first = env.BeginRead();
        first.Dispose();
        var second = env.BeginRead();
        Assert.Same(first, second);
        second.Dispose();
    }

    [Fact]
    public void APooledReadTransactionSeesCommitsMadeWhileItWasPooled()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, Fast);
        var db = env.OpenDatabase("t");
        using (var read = env.BeginRead())
        {
            Assert.False(read.TryGet(db, "k"u8, out _));
        }
        using (var txn = env.BeginWrite())
        {
            txn.Put(db, "k"u8, "v"u8);
            txn.Commit();
        }
        using (var read = env.BeginRead())
        {
            Assert.True(read.TryGet(db, "k"u8, out var value));
            Assert.Equal("v"u8.ToArray(), value.ToArray());
        }
    }

    [Fact]
    public void AReadTransactionKeepsItsSnapshotWhileANewerOneSeesTheCommit()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, Fast);
        var db = env.OpenDatabase("t");
        using (var txn = env.BeginWrite())
        {
            txn.Put(db, "k"u8, "old"u8);
            txn.Commit();
        }
        // Two live read transactions on one thread: LMDB allows it with MDB_NOTLS.
        using var before = env.BeginRead();
        using (var txn = env.BeginWrite())
        {
            txn.Put(db, "k"u8, "new"u8);
            txn.Commit();
        }
        using var after = env.BeginRead();
        Assert.True(before.TryGet(db, "k"u8, out var old));
        Assert.Equal("old", Encoding.ASCII.GetString(old));
        Assert.True(after.TryGet(db, "k"u8, out var fresh));
        Assert.Equal("new", Encoding.ASCII.GetString(fresh));
    }

    [Fact]
    public void DisposingAReadTransactionTwiceDoesNotPoolItTwice()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, Fast);
        env.OpenDatabase("t");
        var txn = env.BeginRead();
        txn.Dispose();
        txn.Dispose();
        using var a = env.BeginRead();
        using var b = env.BeginRead();
        Assert.NotSame(a, b);
    }

    [Fact]
    public void AReadTransactionMayEndOnAnotherThread()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, Fast);
        var db = env.OpenDatabase("t");
        var txn = env.BeginRead();
        Exception? failure = null;
        var other = new Thread(() =>
        {
            try
            {
                Assert.False(txn.TryGet(db, "k"u8, out _));
                txn.Dispose();
            }
            catch (Exception error)
            {
                failure = error;
            }
        });
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(10)), "the other thread did not finish");
        Assert.Null(failure);
        // Growing needs every reader gone; a reader that ended elsewhere must not hold it up.
        var grow = new Thread(() => env.Grow()) { IsBackground = true };
        grow.Start();
        Assert.True(grow.Join(TimeSpan.FromSeconds(10)), "Grow should finish once the only reader has ended");
    }

    [Fact]
    public void WriteTransactionOperationsWork()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, Fast);
        var db = env.OpenDatabase("t");
        Assert.Equal(db, env.OpenDatabase("t"));
        using (var txn = env.BeginWrite())
        {
            "reserved"u8.CopyTo(txn.Reserve(db, "r"u8, 8));
            txn.Put(db, "a"u8, "1"u8);
            txn.Put(db, "a"u8, "2"u8);
            Assert.False(txn.Delete(db, "missing"u8));
            Assert.Equal(2, txn.Count(db));
            txn.Commit();
        }
        using (var read = env.BeginRead())
        {
            Assert.True(read.TryGet(db, "r"u8, out var reserved));
            Assert.Equal("reserved", Encoding.ASCII.GetString(reserved));
            Assert.True(read.TryGet(db, "a"u8, out var replaced));
            Assert.Equal("2", Encoding.ASCII.GetString(replaced));
        }
        using (var txn = env.BeginWrite())
        {
            txn.Clear(db);
            txn.Commit();
        }
        using (var read = env.BeginRead())
        {
            Assert.Equal(0, read.Count(db));
        }
    }

    [Fact]
    public void CopyToWritesAnEnvironmentThatOpensWithTheSameData()
    {
        var copy = _dir.Sub("copy");
        using (var env = LmdbEnvironment.Open(_dir.Sub("source"), Fast))
        {
            var db = env.OpenDatabase("t");
            using (var txn = env.BeginWrite())
            {
                txn.Put(db, "k"u8, "v"u8);
                txn.Commit();
            }
            env.CopyTo(copy);
            Assert.True(env.UsedBytes > 0);
        }
        using var copied = LmdbEnvironment.Open(copy, Fast);
        var copiedDb = copied.OpenDatabase("t");
        using var read = copied.BeginRead();
        Assert.True(read.TryGet(copiedDb, "k"u8, out _));
    }

    [Fact]
    public void UsingADisposedEnvironmentThrowsObjectDisposed()
    {
        var env = LmdbEnvironment.Open(_dir.Path, Fast);
        env.Dispose();
        env.Dispose();
        Assert.Throws<ObjectDisposedException>(() => env.BeginRead());
        Assert.Throws<ObjectDisposedException>(() => env.BeginWrite());
    }

    [Fact]
    public void AGarbageDataFileIsReportedAsCorruptionWithLmdbsOwnMessage()
    {
        var bytes = new byte[16384];
        Array.Fill(bytes, (byte)0xAB);
        File.WriteAllBytes(Path.Combine(_dir.Path, "data.mdb"), bytes);
        var error = Assert.ThrowsAny<LmdbException>(() => LmdbEnvironment.Open(_dir.Path));
        Assert.True(error.IsCorruption, $"expected a corruption code, got {error.ErrorCode}: {error.Message}");
        Assert.Contains("File is not an LMDB file", error.Message);
        Assert.Contains("mdb_env_open", error.Message);
        Assert.Contains(error.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void ExceptionsCarryLmdbsTextForTheirCode()
    {
        var full = new LmdbMapFullException("mdb_put");
        Assert.Equal((int)LightningDB.MDBResultCode.MapFull, full.ErrorCode);
        Assert.Contains("MDB_MAP_FULL", full.Message);
        Assert.StartsWith("mdb_put: ", full.Message);
        Assert.False(full.IsCorruption);
        Assert.True(new LmdbException((int)LightningDB.MDBResultCode.Corrupted, "x").IsCorruption);
        Assert.Contains("MDB_CORRUPTED", new LmdbException((int)LightningDB.MDBResultCode.Corrupted, "x").Message);
    }

    [Fact]
    public void TheSystemsLiblmdbIsTheLibraryInUse()
    {
        using var env = LmdbEnvironment.Open(_dir.Path, Fast);
        env.OpenDatabase("t");
        var mapped = File.ReadAllLines("/proc/self/maps");
        Assert.Contains(mapped, line => line.Contains("/liblmdb.so.0", StringComparison.Ordinal));
        Assert.DoesNotContain(mapped, line => line.EndsWith("/liblmdb.so", StringComparison.Ordinal));
    }

    [Fact]
    public void DisposingTheEnvironmentUnderAWriteTransactionClosesItWhenTheTransactionEnds()
    {
        var env = LmdbEnvironment.Open(_dir.Path, Fast);
        var db = env.OpenDatabase("t");
        var txn = env.BeginWrite();
        txn.Put(db, "k"u8, "v"u8);
        env.Dispose();
        Assert.Throws<ObjectDisposedException>(() => env.BeginWrite());
        Assert.Throws<ObjectDisposedException>(() => env.LastTransactionId);
        txn.Commit();
        txn.Dispose();
        using var reopened = LmdbEnvironment.Open(_dir.Path, Fast);
        var again = reopened.OpenDatabase("t");
        using var read = reopened.BeginRead();
        Assert.True(read.TryGet(again, "k"u8, out var value), "a commit made after Dispose began must land");
        Assert.True(value.SequenceEqual("v"u8), "the value differs");
    }
}
