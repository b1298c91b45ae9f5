using System.Text;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class LmdbCursorTests : IDisposable
{
    private readonly TempDirectory _dir = new("icefire-cursor");
    private readonly LmdbEnvironment _env;
    private readonly LmdbDatabase _db;

    public LmdbCursorTests()
    {
        _env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false });
        _db = _env.OpenDatabase("t");
    }

    public void Dispose()
    {
        _env.Dispose();
        _dir.Dispose();
    }

    private void PutAll(params string[] keys)
    {
        using var txn = _env.BeginWrite();
        foreach (var key in keys)
        {
            txn.Put(_db, Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes("v-" + key));
        }
        txn.Commit();
    }

    private static string Key(LmdbCursor cursor) => Encoding.ASCII.GetString(cursor.Key);

    [Fact]
    public void AnEmptyDatabaseHasNoFirstOrLast()
    {
        using var read = _env.BeginRead();
        using var cursor = read.OpenCursor(_db);
        Assert.False(cursor.First());
        Assert.False(cursor.Last());
        Assert.False(cursor.SeekAtOrAfter("a"u8));
        Assert.True(cursor.Key.IsEmpty);
    }

    [Fact]
    public void WalksInByteOrderBothWays()
    {
        PutAll("b", "a", "ab", "B", "\u007f", "aa");
        using var read = _env.BeginRead();
        using var cursor = read.OpenCursor(_db);
        var forward = new List<string>();
        for (var more = cursor.First(); more; more = cursor.Next())
        {
            forward.Add(Key(cursor));
            Assert.Equal("v-" + Key(cursor), Encoding.ASCII.GetString(cursor.Value));
        }
        Assert.Equal(["B", "a", "aa", "ab", "b", "\u007f"], forward);
        var backward = new List<string>();
        for (var more = cursor.Last(); more; more = cursor.Prev())
        {
            backward.Add(Key(cursor));
        }
        forward.Reverse();
        Assert.Equal(forward, backward);
    }

    [Fact]
    public void SeekAtOrAfterLandsOnTheFirstKeyNotBelowTheProbe()
    {
        PutAll("apple", "banana", "cherry");
        using var read = _env.BeginRead();
        using var cursor = read.OpenCursor(_db);
        Assert.True(cursor.SeekAtOrAfter("banana"u8));
        Assert.Equal("banana", Key(cursor));
        Assert.True(cursor.SeekAtOrAfter("b"u8));
        Assert.Equal("banana", Key(cursor));
        Assert.True(cursor.SeekAtOrAfter("bananas"u8));
        Assert.Equal("cherry", Key(cursor));
        Assert.False(cursor.SeekAtOrAfter("d"u8));
        Assert.True(cursor.SeekAtOrAfter("a"u8));
        Assert.Equal("apple", Key(cursor));
        Assert.True(cursor.Next());
        Assert.Equal("banana", Key(cursor));
        Assert.True(cursor.Prev());
        Assert.Equal("apple", Key(cursor));
        Assert.False(cursor.Prev());
    }

    [Fact]
    public void SeekFindsOnlyTheExactKey()
    {
        PutAll("apple", "banana");
        using var read = _env.BeginRead();
        using var cursor = read.OpenCursor(_db);
        Assert.True(cursor.Seek("banana"u8));
        Assert.Equal("banana", Key(cursor));
        Assert.Equal("v-banana", Encoding.ASCII.GetString(cursor.Value));
        Assert.False(cursor.Seek("b"u8));
    }

    [Fact]
    public void NextAfterTheLastKeyReportsTheEnd()
    {
        PutAll("only");
        using var read = _env.BeginRead();
        using var cursor = read.OpenCursor(_db);
        Assert.True(cursor.First());
        Assert.False(cursor.Next());
    }

    [Fact]
    public void DeleteCurrentInAWriteTransactionRemovesWhatTheCursorIsOn()
    {
        PutAll("a", "b", "c", "d");
        using (var txn = _env.BeginWrite())
        {
            using (var cursor = txn.OpenCursor(_db))
            {
                for (var more = cursor.First(); more; more = cursor.Next())
                {
                    if (cursor.Key[0] is (byte)'b' or (byte)'d')
                    {
                        cursor.DeleteCurrent();
                    }
                }
            }
            txn.Commit();
        }
        using var read = _env.BeginRead();
        using var walk = read.OpenCursor(_db);
        var left = new List<string>();
        for (var more = walk.First(); more; more = walk.Next())
        {
            left.Add(Key(walk));
        }
        Assert.Equal(["a", "c"], left);
    }

    [Fact]
    public void ManyCursorsOnPooledTransactionsDoNotLeak()
    {
        PutAll("a");
        for (var i = 0; i < 2000; i++)
        {
            using var read = _env.BeginRead();
            using var cursor = read.OpenCursor(_db);
            Assert.True(cursor.First());
        }
    }
}
