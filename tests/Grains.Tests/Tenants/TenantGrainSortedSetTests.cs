using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainSortedSetTests : IDisposable
{
    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task ScoresOrderNegativesZeroAndInfinities()
    {
        await _t.Run("ZADD", "z", "-inf", "a", "-1.5", "b", "0", "c", "-0", "d", "2", "e", "+inf", "f");
        Assert.Equal(Array("a", "b", "c", "d", "e", "f"), await _t.Run("ZRANGE", "z", "0", "-1"));
        Assert.Equal(Array("f", "e"), await _t.Run("ZRANGE", "z", "0", "1", "REV"));
        Assert.Equal(Int(2), await _t.Run("ZCOUNT", "z", "0", "0"));
    }

    [Fact]
    public async Task UpdatingAScoreMovesTheMemberInTheOrder()
    {
        await _t.Run("ZADD", "z", "1", "a", "2", "b", "3", "c");
        await _t.Run("ZADD", "z", "10", "a");
        Assert.Equal(Array("b", "c", "a"), await _t.Run("ZRANGE", "z", "0", "-1"));
        Assert.Equal(Int(3), await _t.Run("ZCARD", "z"));
        Assert.Equal(Int(2), await _t.Run("ZRANK", "z", "a"));
    }

    [Fact]
    public async Task LargeSetPointOperationsStayExact()
    {
        var args = new List<string> { "ZADD", "big" };
        for (var i = 0; i < 3000; i++)
        {
            args.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            args.Add($"m{i:D5}");
        }
        Assert.Equal(Int(3000), await _t.Run([.. args]));
        Assert.Equal(Bulk("2999"), await _t.Run("ZSCORE", "big", "m02999"));
        Assert.Equal(Array("m01500", "m01501"), await _t.Run("ZRANGEBYSCORE", "big", "1500", "1501"));
        Assert.Equal(Int(1), await _t.Run("ZREM", "big", "m01500"));
        Assert.Equal(Array("m01499", "m01501"), await _t.Run("ZRANGEBYSCORE", "big", "1499", "1501"));
        _t.Reopen();
        Assert.Equal(Int(2999), await _t.Run("ZCARD", "big"));
    }

    [Fact]
    public async Task LongMembersKeepTheirScoreAndOrder()
    {
        var a = new string('x', 1000) + "a";
        var b = new string('x', 1000) + "b";
        await _t.Run("ZADD", "z", "2", a, "1", b);
        Assert.Equal(Array(b, a), await _t.Run("ZRANGE", "z", "0", "-1"));
        Assert.Equal(Bulk("2"), await _t.Run("ZSCORE", "z", a));
        Assert.Equal(Int(1), await _t.Run("ZREM", "z", a));
        Assert.Equal(Array(b), await _t.Run("ZRANGE", "z", "0", "-1"));
    }
}
