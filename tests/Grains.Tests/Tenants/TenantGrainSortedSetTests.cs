using System.Globalization;
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

    [Fact]
    public async Task ZRandMemberWithAPositiveCountGivesDistinctMembersUpToTheSize()
    {
        var members = await FillAsync("z", 20);
        for (var round = 0; round < 20; round++)
        {
            var picked = Elements(await _t.Run("ZRANDMEMBER", "z", "5"));
            Assert.Equal(5, picked.Count);
            Assert.Equal(5, picked.Distinct().Count());
            Assert.All(picked, m => Assert.Contains(m, members));
        }
        var all = Elements(await _t.Run("ZRANDMEMBER", "z", "50"));
        Assert.Equal(members.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Contains(Elements("*1\r\n" + await _t.Run("ZRANDMEMBER", "z"))[0], members);
    }

    [Fact]
    public async Task ZRandMemberWithANegativeCountDrawsWithRepeats()
    {
        var members = await FillAsync("z", 3);
        var drawn = Elements(await _t.Run("ZRANDMEMBER", "z", "-40"));
        Assert.Equal(40, drawn.Count);
        Assert.All(drawn, m => Assert.Contains(m, members));
        // Forty draws from three members must repeat some.
        Assert.True(drawn.Distinct().Count() <= 3, "negative count: members repeat");
    }

    [Fact]
    public async Task ZRandMemberWithScoresPairsEachMemberWithItsScore()
    {
        await FillAsync("z", 200);
        foreach (var count in new[] { "7", "-30", "500" })
        {
            var flat = Elements(await _t.Run("ZRANDMEMBER", "z", count, "WITHSCORES"));
            Assert.Equal(0, flat.Count % 2);
            Assert.Equal(Math.Min(Math.Abs(int.Parse(count, CultureInfo.InvariantCulture)), count[0] == '-' ? int.MaxValue : 200), flat.Count / 2);
            for (var i = 0; i < flat.Count; i += 2)
            {
                Assert.Equal(Bulk(flat[i + 1]), await _t.Run("ZSCORE", "z", flat[i]));
            }
        }
    }

    [Fact]
    public async Task ZScanOfALargeSetVisitsEveryMemberOnceWithItsScore()
    {
        var members = await FillAsync("z", 1000);
        var seen = new Dictionary<string, string>();
        var cursor = "0";
        do
        {
            var reply = await _t.Run("ZSCAN", "z", cursor, "COUNT", "37");
            var parts = reply.Split("\r\n");
            cursor = parts[2];
            var items = Elements(reply[(reply.IndexOf('*', 1))..]);
            for (var i = 0; i < items.Count; i += 2)
            {
                Assert.True(seen.TryAdd(items[i], items[i + 1]), $"{items[i]} came back twice");
            }
        }
        while (cursor != "0");
        Assert.Equal(members.Count, seen.Count);
        Assert.Equal("4.5", seen["m0009"]);
    }

    [Fact]
    public async Task AlgebraOverLargeInputsAndLongMembersStaysExact()
    {
        await FillAsync("a", 3000);
        await FillAsync("b", 40);
        var longMember = new string('x', 600);
        await _t.Run("ZADD", "a", "7", longMember);
        await _t.Run("SADD", "s", longMember, "m0001", "m2999");
        Assert.Equal(Int(40), await _t.Run("ZINTERCARD", "2", "a", "b"));
        Assert.Equal(Int(10), await _t.Run("ZINTERCARD", "2", "b", "a", "LIMIT", "10"));
        Assert.Equal(Array("m0001", "1.5", longMember, "8", "m2999", "1500.5"), await _t.Run("ZINTER", "2", "a", "s", "WITHSCORES"));
        Assert.Equal(Int(2961), await _t.Run("ZDIFFSTORE", "d", "2", "a", "b"));
        Assert.Equal(Int(3001), await _t.Run("ZUNIONSTORE", "u", "3", "a", "b", "s", "AGGREGATE", "MAX"));
        _t.Reopen();
        Assert.Equal(Int(2961), await _t.Run("ZCARD", "d"));
        Assert.Equal(Bulk("7"), await _t.Run("ZSCORE", "u", longMember));
        Assert.Equal(Array("m0000", "m0001"), await _t.Run("ZRANGE", "u", "0", "1"));
        Assert.Equal(Bulk("1"), await _t.Run("ZSCORE", "u", "m0001"));
    }

    [Fact]
    public async Task ZMPopTakesFromTheFirstNonEmptyKeyAndDeletesItWhenEmptied()
    {
        await _t.Run("ZADD", "z", "1", "a", "2", "b");
        Assert.Equal("*2\r\n" + Bulk("z") + "*2\r\n" + Array("b", "2") + Array("a", "1"),
            await _t.Run("ZMPOP", "2", "missing", "z", "MAX", "COUNT", "5"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "z"));
        Assert.Equal("*-1\r\n", await _t.Run("ZMPOP", "1", "z", "MIN"));
    }

    /// <summary>ZADD <paramref name="count"/> members m0000... with scores 0, 0.5, 1, ...; returns the members.</summary>
    private async Task<List<string>> FillAsync(string key, int count)
    {
        var args = new List<string> { "ZADD", key };
        var members = new List<string>();
        for (var i = 0; i < count; i++)
        {
            members.Add($"m{i:D4}");
            args.Add((i / 2.0).ToString(CultureInfo.InvariantCulture));
            args.Add(members[^1]);
        }
        await _t.Run([.. args]);
        return members;
    }

    /// <summary>The bulk strings of a flat RESP2 array reply.</summary>
    private static List<string> Elements(string reply)
    {
        var lines = reply.Split("\r\n");
        Assert.StartsWith("*", lines[0]);
        var result = new List<string>();
        for (var i = 1; i + 1 < lines.Length; i += 2)
        {
            result.Add(lines[i + 1]);
        }
        return result;
    }
}
