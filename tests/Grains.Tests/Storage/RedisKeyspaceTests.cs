using System.Text;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class RedisKeyspaceTests : IDisposable
{
    private readonly KeyspaceFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private byte[]? Get(int db, byte[] key, long nowMs = 0)
    {
        using var read = _fx.Env.BeginRead();
        return _fx.Keyspace.TryGet(read, db, key, nowMs, out var value) ? value.Payload.ToArray() : null;
    }

    [Fact]
    public void PutThenTryGetReturnsKindExpiryAndPayload()
    {
        _fx.Write(txn => _fx.Keyspace.Put(txn, 3, Bytes("k"), ValueKind.Hash, 0, Bytes("payload")));
        using var read = _fx.Env.BeginRead();
        Assert.True(_fx.Keyspace.TryGet(read, 3, Bytes("k"), 0, out var value));
        Assert.Equal(ValueKind.Hash, value.Kind);
        Assert.False(value.HasExpiry);
        Assert.Equal("payload", Encoding.UTF8.GetString(value.Payload));
        Assert.True(value.FullKey.IsEmpty);
        Assert.False(_fx.Keyspace.TryGet(read, 0, Bytes("k"), 0, out _), "databases are separate");
        Assert.Equal(1, _fx.Keyspace.Count(read, 3));
        Assert.Equal(0, _fx.Keyspace.Count(read, 0));
    }

    [Fact]
    public void TwoLongKeysSharingTheirFirst400BytesStayDistinct()
    {
        var a = new byte[10_000];
        var b = new byte[10_000];
        a.AsSpan().Fill((byte)'k');
        b.AsSpan().Fill((byte)'k');
        a[^1] = (byte)'a';
        b[^1] = (byte)'b';
        _fx.Write(txn =>
        {
            _fx.Keyspace.Put(txn, 0, a, ValueKind.String, 0, Bytes("A"));
            _fx.Keyspace.Put(txn, 0, b, ValueKind.String, 0, Bytes("B"));
        });
        _fx.Reopen();
        Assert.Equal("A", Encoding.UTF8.GetString(Get(0, a)!));
        Assert.Equal("B", Encoding.UTF8.GetString(Get(0, b)!));
        Assert.Null(Get(0, a[..9_999]));
        using (var read = _fx.Env.BeginRead())
        {
            Assert.Equal(2, _fx.Keyspace.Count(read, 0));
            Assert.True(_fx.Keyspace.TryGet(read, 0, a, 0, out var value));
            Assert.True(value.FullKey.SequenceEqual(a));
        }
        _fx.Write(txn => Assert.True(_fx.Keyspace.Delete(txn, 0, a, 0)));
        Assert.Null(Get(0, a));
        Assert.Equal("B", Encoding.UTF8.GetString(Get(0, b)!));
    }

    [Fact]
    public void TheEmptyKeyIsAKeyLikeAnyOther()
    {
        // Redis accepts SET "" v; LMDB refuses zero-length keys, so the encoding must not produce one.
        _fx.Write(txn => _fx.Keyspace.Put(txn, 0, [], ValueKind.String, 0, Bytes("empty")));
        _fx.Write(txn => _fx.Keyspace.Put(txn, 0, [0], ValueKind.String, 0, Bytes("zero")));
        Assert.Equal("empty", Encoding.UTF8.GetString(Get(0, [])!));
        Assert.Equal("zero", Encoding.UTF8.GetString(Get(0, [0])!));
        var keys = WalkKeys(0);
        Assert.Equal(2, keys.Count);
        Assert.Contains(keys, k => k.Length == 0);
        _fx.Write(txn => Assert.True(_fx.Keyspace.Delete(txn, 0, [], 0)));
        Assert.Null(Get(0, []));
        Assert.Equal("zero", Encoding.UTF8.GetString(Get(0, [0])!));
    }

    [Fact]
    public void PuttingAPayloadThatPointsIntoTheMapCopiesItFirst()
    {
        var big = new byte[200_000];
        for (var i = 0; i < big.Length; i++)
        {
            big[i] = (byte)(i * 7);
        }
        _fx.Write(txn => _fx.Keyspace.Put(txn, 0, Bytes("src"), ValueKind.String, 0, big));
        _fx.Write(txn =>
        {
            for (var copy = 0; copy < 5; copy++)
            {
                Assert.True(_fx.Keyspace.TryGetRaw(txn, 0, Bytes("src"), out var value));
                // value.Payload lies in the map; writing may move pages under it.
                _fx.Keyspace.Put(txn, 0, Bytes("dst" + copy), ValueKind.String, 0, value.Payload);
            }
        });
        for (var copy = 0; copy < 5; copy++)
        {
            Assert.Equal(big, Get(0, Bytes("dst" + copy)));
        }
    }

    [Fact]
    public void DeleteReportsWhetherALiveKeyWasRemoved()
    {
        _fx.Write(txn =>
        {
            _fx.Keyspace.Put(txn, 0, Bytes("live"), ValueKind.String, 0, Bytes("1"));
            _fx.Keyspace.Put(txn, 0, Bytes("dead"), ValueKind.String, 100, Bytes("1"));
        });
        _fx.Write(txn =>
        {
            Assert.True(_fx.Keyspace.Delete(txn, 0, Bytes("live"), 200));
            Assert.False(_fx.Keyspace.Delete(txn, 0, Bytes("dead"), 200));
            Assert.False(_fx.Keyspace.Delete(txn, 0, Bytes("never"), 200));
        });
        using var read = _fx.Env.BeginRead();
        Assert.Equal(0, _fx.Keyspace.Count(read, 0));
        Assert.Equal(0, _fx.Keyspace.CountExpires(read, 0));
        Assert.Equal(1, _fx.Keyspace.ExpiredKeys);
    }

    [Fact]
    public void ClearEmptiesOneDatabaseOnly()
    {
        _fx.Write(txn =>
        {
            _fx.Keyspace.Put(txn, 0, Bytes("a"), ValueKind.String, 500, Bytes("1"));
            _fx.Keyspace.Put(txn, 1, Bytes("b"), ValueKind.String, 0, Bytes("1"));
        });
        _fx.Write(txn => _fx.Keyspace.Clear(txn, 0));
        using var read = _fx.Env.BeginRead();
        Assert.Equal(0, _fx.Keyspace.Count(read, 0));
        Assert.Equal(0, _fx.Keyspace.CountExpires(read, 0));
        Assert.Equal(1, _fx.Keyspace.Count(read, 1));
        Assert.Equal(0, _fx.Keyspace.NextExpiry(read));
    }

    [Fact]
    public void ReopeningKeepsEveryDatabase()
    {
        _fx.Write(txn =>
        {
            for (var db = 0; db < RedisKeyspace.DatabaseCount; db++)
            {
                _fx.Keyspace.Put(txn, db, Bytes("k"), ValueKind.String, 0, Bytes("v" + db));
            }
        });
        _fx.Reopen();
        for (var db = 0; db < RedisKeyspace.DatabaseCount; db++)
        {
            Assert.Equal("v" + db, Encoding.UTF8.GetString(Get(db, Bytes("k"))!));
        }
    }

    [Fact]
    public void AnEnvironmentWithoutTheFormatStampIsRefusedAndLeftUntouched()
    {
        using var dir = new TempDirectory("icefire-nostamp");
        using var env = LmdbEnvironment.Open(dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = false });
        Assert.Throws<StorageCorruptionException>(() => RedisKeyspace.Open(env, isNew: false));
        var meta = env.OpenDatabase("meta");
        using (var txn = env.BeginWrite())
        {
            txn.Put(meta, "format"u8, "icefire-keyspace-0"u8);
            txn.Commit();
        }
        var error = Assert.Throws<StorageCorruptionException>(() => RedisKeyspace.Open(env, isNew: false));
        Assert.Contains("icefire-keyspace-0", error.Message);
        Assert.Throws<StorageCorruptionException>(() => RedisKeyspace.Open(env, isNew: true));
    }

    [Fact]
    public void TheFormatStampIsPinned()
    {
        var meta = _fx.Env.OpenDatabase("meta");
        using var read = _fx.Env.BeginRead();
        Assert.True(read.TryGet(meta, "format"u8, out var stamp));
        Assert.Equal("icefire-keyspace-2", Encoding.ASCII.GetString(stamp));
    }

    private List<byte[]> WalkKeys(int db)
    {
        var keys = new List<byte[]>();
        using var read = _fx.Env.BeginRead();
        using var cursor = read.OpenCursor(_fx.Keyspace.KeysOf(db));
        for (var more = cursor.First(); more; more = cursor.Next())
        {
            var value = StoredValue.Read(cursor.Key, cursor.Value, db);
            keys.Add(RedisKeyspace.DecodeKey(cursor.Key, value).ToArray());
        }
        return keys;
    }
}
