using IceFire.Grains.Tests.Support;
using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainStringTests : IDisposable
{
    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task SetThenGet()
    {
        Assert.Equal(Null, await _t.Run("GET", "k"));
        Assert.Equal(Ok, await _t.Run("SET", "k", "hello"));
        Assert.Equal(Bulk("hello"), await _t.Run("GET", "k"));
        Assert.Equal(Ok, await _t.Run("set", "k", ""));
        Assert.Equal(Bulk(""), await _t.Run("GET", "k"));
    }

    [Fact]
    public async Task SetOptionsNxXxAndGet()
    {
        Assert.Equal(Null, await _t.Run("SET", "k", "1", "XX"));
        Assert.Equal(Null, await _t.Run("GET", "k"));
        Assert.Equal(Ok, await _t.Run("SET", "k", "1", "NX"));
        Assert.Equal(Null, await _t.Run("SET", "k", "2", "NX"));
        Assert.Equal(Ok, await _t.Run("SET", "k", "3", "XX"));
        Assert.Equal(Bulk("3"), await _t.Run("SET", "k", "4", "GET"));
        Assert.Equal(Bulk("4"), await _t.Run("GET", "k"));
        Assert.Equal(Null, await _t.Run("SET", "new", "x", "GET"));
        Assert.Equal("-ERR syntax error\r\n", await _t.Run("SET", "k", "v", "NX", "XX"));
        Assert.Equal("-ERR syntax error\r\n", await _t.Run("SET", "k", "v", "EX", "10", "PX", "100"));
        Assert.Equal("-ERR syntax error\r\n", await _t.Run("SET", "k", "v", "BOGUS"));
    }

    [Theory]
    [InlineData("EX", "0")]
    [InlineData("EX", "-5")]
    [InlineData("PX", "0")]
    public async Task SetRefusesANonPositiveExpiry(string unit, string amount)
    {
        Assert.Equal("-ERR invalid expire time in 'set' command\r\n", await _t.Run("SET", "k", "v", unit, amount));
        Assert.Equal(Null, await _t.Run("GET", "k"));
    }

    [Fact]
    public async Task SetRefusesANonIntegerExpiry()
    {
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await _t.Run("SET", "k", "v", "EX", "1.5"));
    }

    [Fact]
    public async Task IncrAndFriends()
    {
        Assert.Equal(Int(1), await _t.Run("INCR", "n"));
        Assert.Equal(Int(2), await _t.Run("INCR", "n"));
        Assert.Equal(Int(12), await _t.Run("INCRBY", "n", "10"));
        Assert.Equal(Int(11), await _t.Run("DECR", "n"));
        Assert.Equal(Int(-9), await _t.Run("DECRBY", "n", "20"));
        Assert.Equal(Bulk("-9"), await _t.Run("GET", "n"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await _t.Run("INCRBY", "n", "abc"));
        Assert.Equal(Ok, await _t.Run("SET", "s", "not a number"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await _t.Run("INCR", "s"));
        Assert.Equal(Ok, await _t.Run("SET", "big", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", await _t.Run("INCR", "big"));
        Assert.Equal("-ERR decrement would overflow\r\n", await _t.Run("DECRBY", "n", "-9223372036854775808"));
        Assert.Equal(Bulk("3.5"), await _t.Run("INCRBYFLOAT", "f", "3.5"));
        Assert.Equal(Bulk("3.6"), await _t.Run("INCRBYFLOAT", "f", "0.1"));
    }

    [Fact]
    public async Task IncrKeepsTheKeysTtl()
    {
        Assert.Equal(Ok, await _t.Run("SET", "n", "5", "EX", "100"));
        Assert.Equal(Int(6), await _t.Run("INCR", "n"));
        Assert.Equal(Int(100), await _t.Run("TTL", "n"));
    }

    [Fact]
    public async Task ExpireTtlAndPersist()
    {
        Assert.Equal(Int(-2), await _t.Run("TTL", "k"));
        Assert.Equal(Int(0), await _t.Run("EXPIRE", "k", "100"));
        await _t.Run("SET", "k", "v");
        Assert.Equal(Int(-1), await _t.Run("TTL", "k"));
        Assert.Equal(Int(1), await _t.Run("EXPIRE", "k", "100"));
        Assert.Equal(Int(100), await _t.Run("TTL", "k"));
        Assert.Equal(Int(100_000), await _t.Run("PTTL", "k"));
        _t.Clock.Advance(TimeSpan.FromMilliseconds(40_400));
        Assert.Equal(Int(60), await _t.Run("TTL", "k"));
        Assert.Equal(Int(59_600), await _t.Run("PTTL", "k"));
        var expireAt = _t.Clock.NowMs + 59_600;
        Assert.Equal(Int(expireAt), await _t.Run("PEXPIRETIME", "k"));
        Assert.Equal(Int((expireAt + 500) / 1000), await _t.Run("EXPIRETIME", "k"));
        Assert.Equal(Int(0), await _t.Run("EXPIRE", "k", "10", "NX"));
        Assert.Equal(Int(0), await _t.Run("EXPIRE", "k", "10", "GT"));
        Assert.Equal(Int(1), await _t.Run("EXPIRE", "k", "10", "LT"));
        Assert.Equal(Int(10), await _t.Run("TTL", "k"));
        Assert.Equal(Int(1), await _t.Run("PERSIST", "k"));
        Assert.Equal(Int(0), await _t.Run("PERSIST", "k"));
        Assert.Equal(Int(-1), await _t.Run("TTL", "k"));
        Assert.Equal("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", await _t.Run("EXPIRE", "k", "10", "NX", "XX"));
        Assert.Equal("-ERR Unsupported option FOO\r\n", await _t.Run("EXPIRE", "k", "10", "FOO"));
    }

    [Fact]
    public async Task ExpireInThePastDeletesTheKey()
    {
        await _t.Run("SET", "k", "v");
        Assert.Equal(Int(1), await _t.Run("EXPIRE", "k", "-1"));
        Assert.Equal(Null, await _t.Run("GET", "k"));
        Assert.Equal(0, await _t.DbSize());
    }

    [Fact]
    public async Task SetWithExpiryThenTtl()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "v", "EX", "10"));
        Assert.Equal(Int(10), await _t.Run("TTL", "k"));
        Assert.Equal(Ok, await _t.Run("SET", "k", "v2", "KEEPTTL"));
        Assert.Equal(Int(10), await _t.Run("TTL", "k"));
        Assert.Equal(Ok, await _t.Run("SET", "k", "v3"));
        Assert.Equal(Int(-1), await _t.Run("TTL", "k"));
        Assert.Equal(Ok, await _t.Run("SETEX", "k", "5", "v4"));
        Assert.Equal(Int(5), await _t.Run("TTL", "k"));
        Assert.Equal(Ok, await _t.Run("SET", "k", "v", "PXAT", (_t.Clock.NowMs + 2500).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(Int(2500), await _t.Run("PTTL", "k"));
    }

    [Fact]
    public async Task MsetMgetDelExists()
    {
        Assert.Equal(Ok, await _t.Run("MSET", "a", "1", "b", "2"));
        Assert.Equal("*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n", await _t.Run("MGET", "a", "missing", "b"));
        Assert.Equal(Int(3), await _t.Run("EXISTS", "a", "b", "a", "missing"));
        Assert.Equal(Int(2), await _t.Run("DEL", "a", "b", "missing"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "a"));
        Assert.Equal(Int(1), await _t.Run("MSETNX", "x", "1", "y", "2"));
        Assert.Equal(Int(0), await _t.Run("MSETNX", "y", "3", "z", "4"));
        Assert.Equal(Null, await _t.Run("GET", "z"));
    }

    [Fact]
    public async Task TheEmptyKeyWorksThroughTheGrain()
    {
        Assert.Equal(Ok, await _t.Run("SET", "", "empty"));
        Assert.Equal(Bulk("empty"), await _t.Run("GET", ""));
        Assert.Equal(Int(1), await _t.Run("EXISTS", ""));
        Assert.Equal(Int(1), await _t.Run("DEL", ""));
    }

    [Fact]
    public async Task ABatchRunsItsCommandsInOrderWithOneReplyEach()
    {
        var reply = await _t.RunBatch(0,
            TenantHarness.Args("SET", "k", "1"),
            TenantHarness.Args("INCR", "k"),
            TenantHarness.Args("GET", "k"),
            TenantHarness.Args("DEL", "k"),
            TenantHarness.Args("GET", "k"));
        Assert.Equal(Ok + Int(2) + Bulk("2") + Int(1) + Null, reply);
    }

    [Fact]
    public async Task DatabasesAreSeparate()
    {
        Assert.Equal(Ok, await _t.RunIn(3, "SET", "k", "three"));
        Assert.Equal(Null, await _t.RunIn(0, "GET", "k"));
        Assert.Equal(Bulk("three"), await _t.RunIn(3, "GET", "k"));
        Assert.Equal(1, await _t.DbSize(3));
        Assert.Equal(Ok, await _t.RunIn(0, "FLUSHDB"));
        Assert.Equal(1, await _t.DbSize(3));
        Assert.Equal(Ok, await _t.RunIn(0, "FLUSHALL"));
        Assert.Equal(0, await _t.DbSize(3));
    }

    [Fact]
    public async Task ACommandTheDatasetDoesNotServeGetsAnError()
    {
        Assert.Equal("-ERR command 'ping' is not served by the dataset\r\n", await _t.Run("PING"));
    }

    [Fact]
    public async Task InfoReportsKeysAndCommits()
    {
        await _t.Run("SET", "a", "1");
        await _t.Run("SET", "b", "1", "EX", "100");
        await _t.RunIn(2, "SET", "c", "1");
        var info = await _t.Grain.GetInfoAsync();
        Assert.Equal([(0, 2L, 1L), (2, 1L, 0L)], info.Keyspace);
        Assert.True(info.Commits >= 1);
        Assert.Equal(3, info.CommandsWritten);
        Assert.True(info.UsedBytes > 0);
    }

    [Fact]
    public async Task WritesAfterDisposeFail()
    {
        _t.Close();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _t.Run("SET", "k", "v"));
    }
}
