using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainStringRangeTests : IDisposable
{
    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task AppendAndStrlen()
    {
        Assert.Equal(Int(0), await _t.Run("STRLEN", "k"));
        Assert.Equal(Int(5), await _t.Run("APPEND", "k", "hello"));
        Assert.Equal(Int(11), await _t.Run("APPEND", "k", " world"));
        Assert.Equal(Bulk("hello world"), await _t.Run("GET", "k"));
        Assert.Equal(Int(11), await _t.Run("STRLEN", "k"));
    }

    [Fact]
    public async Task AppendKeepsTheTtl()
    {
        await _t.Run("SET", "k", "a", "EX", "50");
        await _t.Run("APPEND", "k", "b");
        Assert.Equal(Int(50), await _t.Run("TTL", "k"));
    }

    [Theory]
    [InlineData("0", "3", "This")]
    [InlineData("-3", "-1", "ing")]
    [InlineData("0", "-1", "This is a string")]
    [InlineData("10", "100", "string")]
    [InlineData("5", "3", "")]
    [InlineData("-1", "-5", "")]
    [InlineData("-100", "2", "Thi")]
    [InlineData("100", "200", "")]
    public async Task GetRangeFollowsRedis(string start, string end, string expected)
    {
        await _t.Run("SET", "k", "This is a string");
        Assert.Equal(Bulk(expected), await _t.Run("GETRANGE", "k", start, end));
    }

    [Fact]
    public async Task GetRangeOfAMissingKeyIsEmptyAndBadNumbersAreRefused()
    {
        Assert.Equal(Bulk(""), await _t.Run("GETRANGE", "missing", "0", "-1"));
        Assert.Equal("-ERR value is not an integer or out of range\r\n", await _t.Run("GETRANGE", "k", "a", "1"));
        await _t.Run("SET", "k", "abc");
        Assert.Equal(Bulk("ab"), await _t.Run("SUBSTR", "k", "0", "1"));
    }

    [Fact]
    public async Task SetRangePatchesAndPadsWithZeros()
    {
        await _t.Run("SET", "k", "Hello World");
        Assert.Equal(Int(11), await _t.Run("SETRANGE", "k", "6", "Redis"));
        Assert.Equal(Bulk("Hello Redis"), await _t.Run("GET", "k"));
        Assert.Equal(Int(8), await _t.Run("SETRANGE", "pad", "5", "abc"));
        Assert.Equal(Bulk("\0\0\0\0\0abc"), await _t.Run("GET", "pad"));
        Assert.Equal(Int(0), await _t.Run("SETRANGE", "none", "5", ""));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "none"));
        Assert.Equal("-ERR offset is out of range\r\n", await _t.Run("SETRANGE", "k", "-1", "x"));
        Assert.Equal("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n", await _t.Run("SETRANGE", "k", "536870911", "xy"));
    }

    [Fact]
    public async Task GetSetGetDelAndGetEx()
    {
        Assert.Equal(Null, await _t.Run("GETSET", "k", "1"));
        Assert.Equal(Bulk("1"), await _t.Run("GETSET", "k", "2"));
        Assert.Equal(Bulk("2"), await _t.Run("GETEX", "k", "EX", "30"));
        Assert.Equal(Int(30), await _t.Run("TTL", "k"));
        Assert.Equal(Bulk("2"), await _t.Run("GETEX", "k", "PERSIST"));
        Assert.Equal(Int(-1), await _t.Run("TTL", "k"));
        Assert.Equal("-ERR syntax error\r\n", await _t.Run("GETEX", "k", "EX", "1", "PERSIST"));
        Assert.Equal(Bulk("2"), await _t.Run("GETDEL", "k"));
        Assert.Equal(Null, await _t.Run("GETDEL", "k"));
        Assert.Equal(Null, await _t.Run("GETEX", "k"));
    }

    [Fact]
    public async Task SetNxAndPSetEx()
    {
        Assert.Equal(Int(1), await _t.Run("SETNX", "k", "a"));
        Assert.Equal(Int(0), await _t.Run("SETNX", "k", "b"));
        Assert.Equal(Bulk("a"), await _t.Run("GET", "k"));
        Assert.Equal(Ok, await _t.Run("PSETEX", "p", "1500", "v"));
        Assert.Equal(Int(1500), await _t.Run("PTTL", "p"));
        Assert.Equal("-ERR invalid expire time in 'psetex' command\r\n", await _t.Run("PSETEX", "p", "0", "v"));
    }
}
