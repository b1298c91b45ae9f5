using System.Text;
using IceFire.Grains.Storage.Keyspace;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class RedisKeyspaceExpiryTests : IDisposable
{
    private readonly KeyspaceFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] LongKey(char fill, int length = 1000)
    {
        var key = new byte[length];
        key.AsSpan().Fill((byte)fill);
        return key;
    }

    private void Put(int db, byte[] key, long expireAt) =>
        _fx.Write(txn => _fx.Keyspace.Put(txn, db, key, ValueKind.String, expireAt, Bytes("v")));

    private (long Keys, long Expires, long Next) Stats(int db = 0)
    {
        using var read = _fx.Env.BeginRead();
        return (_fx.Keyspace.Count(read, db), _fx.Keyspace.CountExpires(read, db), _fx.Keyspace.NextExpiry(read));
    }

    private bool IsLive(int db, byte[] key, long nowMs)
    {
        using var read = _fx.Env.BeginRead();
        return _fx.Keyspace.TryGet(read, db, key, nowMs, out _);
    }

    [Fact]
    public void AKeyReadsAsAbsentFromItsExpiryOnButStaysUntilRemoved()
    {
        Put(0, Bytes("k"), 1000);
        Assert.True(IsLive(0, Bytes("k"), 999));
        Assert.False(IsLive(0, Bytes("k"), 1000));
        using var read = _fx.Env.BeginRead();
        Assert.True(_fx.Keyspace.TryGetRaw(read, 0, Bytes("k"), out var raw));
        Assert.Equal(1000, raw.ExpireAtMs);
        Assert.True(raw.IsExpired(1000));
        Assert.Equal((1, 1, 1000), Stats());
    }

    [Fact]
    public void SetExpiryMovesTheIndexEntryAndZeroRemovesIt()
    {
        Put(0, Bytes("k"), 0);
        Assert.Equal((1, 0, 0), Stats());
        _fx.Write(txn => _fx.Keyspace.SetExpiry(txn, 0, Bytes("k"), 5000));
        Assert.Equal((1, 1, 5000), Stats());
        _fx.Write(txn => _fx.Keyspace.SetExpiry(txn, 0, Bytes("k"), 3000));
        Assert.Equal((1, 1, 3000), Stats());
        _fx.Write(txn => _fx.Keyspace.SetExpiry(txn, 0, Bytes("k"), 0));
        Assert.Equal((1, 0, 0), Stats());
        _fx.Write(txn => _fx.Keyspace.SetExpiry(txn, 0, Bytes("missing"), 10));
        Assert.Equal((1, 0, 0), Stats());
        using var read = _fx.Env.BeginRead();
        Assert.True(_fx.Keyspace.TryGet(read, 0, Bytes("k"), long.MaxValue, out var value));
        Assert.Equal("v", Encoding.UTF8.GetString(value.Payload));
    }

    [Fact]
    public void ReplacingAValueKeepsTheIndexInStepWithTheNewExpiry()
    {
        Put(0, Bytes("k"), 5000);
        Put(0, Bytes("k"), 7000);
        Assert.Equal((1, 1, 7000), Stats());
        Put(0, Bytes("k"), 0);
        Assert.Equal((1, 0, 0), Stats());
        Put(0, Bytes("k"), 9000);
        _fx.Write(txn => Assert.Equal(0, _fx.Keyspace.SweepExpired(txn, 8999, 100)));
        Assert.Equal((1, 1, 9000), Stats());
    }

    [Fact]
    public void SweepRemovesOnlyExpiredKeysOldestFirstAcrossDatabases()
    {
        Put(0, Bytes("soon"), 100);
        Put(0, Bytes("later"), 300);
        Put(0, Bytes("never"), 0);
        Put(5, Bytes("other-db"), 200);
        Put(5, LongKey('x'), 150);
        Put(5, LongKey('y'), 10_000);
        var removed = 0;
        _fx.Write(txn => removed = _fx.Keyspace.SweepExpired(txn, 250, 100));
        Assert.Equal(3, removed);
        Assert.Equal(3, _fx.Keyspace.ExpiredKeys);
        Assert.True(IsLive(0, Bytes("later"), 250));
        Assert.True(IsLive(0, Bytes("never"), 250));
        Assert.True(IsLive(5, LongKey('y'), 250));
        using var read = _fx.Env.BeginRead();
        Assert.False(_fx.Keyspace.TryGetRaw(read, 0, Bytes("soon"), out _));
        Assert.False(_fx.Keyspace.TryGetRaw(read, 5, Bytes("other-db"), out _));
        Assert.False(_fx.Keyspace.TryGetRaw(read, 5, LongKey('x'), out _));
        Assert.Equal(2, _fx.Keyspace.Count(read, 0));
        Assert.Equal(1, _fx.Keyspace.CountExpires(read, 0));
        Assert.Equal(1, _fx.Keyspace.Count(read, 5));
        Assert.Equal(300, _fx.Keyspace.NextExpiry(read));
    }

    [Fact]
    public void SweepStopsAtItsLimit()
    {
        _fx.Write(txn =>
        {
            for (var i = 0; i < 10; i++)
            {
                _fx.Keyspace.Put(txn, 0, Bytes("k" + i), ValueKind.String, 100 + i, Bytes("v"));
            }
        });
        var removed = 0;
        _fx.Write(txn => removed = _fx.Keyspace.SweepExpired(txn, 1000, 4));
        Assert.Equal(4, removed);
        Assert.Equal((6, 6, 104), Stats());
        _fx.Write(txn => removed = _fx.Keyspace.SweepExpired(txn, 1000, 100));
        Assert.Equal(6, removed);
        Assert.Equal((0, 0, 0), Stats());
    }

    [Fact]
    public void ReadingForAWriteRemovesAnExpiredKeyLazily()
    {
        Put(0, Bytes("k"), 100);
        _fx.Write(txn =>
        {
            Assert.True(_fx.Keyspace.TryGetForWrite(txn, 0, Bytes("k"), 99, out _));
            Assert.False(_fx.Keyspace.TryGetForWrite(txn, 0, Bytes("k"), 100, out _));
        });
        Assert.Equal((0, 0, 0), Stats());
        Assert.Equal(1, _fx.Keyspace.ExpiredKeys);
    }

    [Fact]
    public void ExpiriesSurviveReopen()
    {
        Put(2, LongKey('z'), 4242);
        _fx.Reopen();
        Assert.Equal((1, 1, 4242), Stats(2));
        _fx.Write(txn => Assert.Equal(1, _fx.Keyspace.SweepExpired(txn, 5000, 10)));
        Assert.Equal((0, 0, 0), Stats(2));
    }
}
