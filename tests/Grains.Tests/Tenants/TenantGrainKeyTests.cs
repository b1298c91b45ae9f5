using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainKeyTests : IDisposable
{
    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    /// <summary>The bulk strings of a flat RESP2 reply, in order.</summary>
    private static List<string> Bulks(string reply)
    {
        var result = new List<string>();
        var i = 0;
        while (i < reply.Length)
        {
            var lineEnd = reply.IndexOf("\r\n", i, StringComparison.Ordinal);
            if (reply[i] == '$')
            {
                var length = int.Parse(reply.AsSpan(i + 1, lineEnd - i - 1), System.Globalization.CultureInfo.InvariantCulture);
                result.Add(reply.Substring(lineEnd + 2, length));
                i = lineEnd + 2 + length + 2;
            }
            else
            {
                i = lineEnd + 2;
            }
        }
        return result;
    }

    [Fact]
    public async Task KeysMatchesPatternsInByteOrder()
    {
        await _t.Run("MSET", "user:1", "a", "user:2", "b", "item:1", "c", "user:10", "d", "hello", "e", "hallo", "f");
        Assert.Equal(Array("user:1", "user:10", "user:2"), await _t.Run("KEYS", "user:*"));
        Assert.Equal(Array("hallo", "hello"), await _t.Run("KEYS", "h[ae]llo"));
        Assert.Equal(Array("user:1", "user:2"), await _t.Run("KEYS", "user:?"));
        Assert.Equal(Array(), await _t.Run("KEYS", "nothing*"));
        Assert.Equal(6, Bulks(await _t.Run("KEYS", "*")).Count);
    }

    [Fact]
    public async Task KeysFindsLongKeysByLiteralAndByPrefix()
    {
        var longKey = new string('a', 500);
        var other = new string('a', 450) + new string('b', 50);
        await _t.Run("SET", longKey, "1");
        await _t.Run("SET", other, "2");
        await _t.Run("SET", "aaa", "3");
        Assert.Equal(Array(longKey), await _t.Run("KEYS", longKey));
        Assert.Equal(Array(other), await _t.Run("KEYS", new string('a', 450) + "b*"));
        var prefixed = Bulks(await _t.Run("KEYS", new string('a', 420) + "*"));
        Assert.Equal(2, prefixed.Count);
        Assert.Contains(longKey, prefixed);
        Assert.Contains(other, prefixed);
        Assert.Equal(3, Bulks(await _t.Run("KEYS", "a*")).Count);
    }

    [Fact]
    public async Task ScanVisitsEveryKeyOnceAcrossCalls()
    {
        var expected = new HashSet<string>();
        for (var i = 0; i < 57; i++)
        {
            var key = i % 10 == 0 ? new string('k', 600) + i : "key:" + i;
            expected.Add(key);
            await _t.Run("SET", key, "v");
        }
        var seen = new List<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            var reply = await _t.Run("SCAN", cursor, "COUNT", "5");
            var bulks = Bulks(reply);
            cursor = bulks[0];
            seen.AddRange(bulks.Skip(1));
            Assert.True(++calls < 100, "SCAN did not finish");
        }
        while (cursor != "0");
        Assert.Equal(expected.Count, seen.Count);
        Assert.True(expected.SetEquals(seen));
        Assert.True(calls > 10, "COUNT 5 should take several calls");
    }

    [Fact]
    public async Task ScanFiltersByMatchAndType()
    {
        await _t.Run("MSET", "a1", "x", "a2", "x", "b1", "x");
        var reply = await _t.Run("SCAN", "0", "MATCH", "a*", "COUNT", "100");
        Assert.Equal(["0", "a1", "a2"], Bulks(reply));
        Assert.Equal(["0", "a1", "a2", "b1"], Bulks(await _t.Run("SCAN", "0", "TYPE", "string", "COUNT", "100")));
        Assert.Equal(["0"], Bulks(await _t.Run("SCAN", "0", "TYPE", "hash")));
        Assert.Equal(["0"], Bulks(await _t.Run("SCAN", "0", "TYPE", "nosuchtype")));
        Assert.Equal("-ERR invalid cursor\r\n", await _t.Run("SCAN", "abc"));
        Assert.Equal("-ERR syntax error\r\n", await _t.Run("SCAN", "0", "COUNT", "0"));
    }

    [Fact]
    public async Task RenameCopyAndType()
    {
        var longKey = new string('L', 1000);
        await _t.Run("SET", "src", "v", "EX", "100");
        Assert.Equal(Ok, await _t.Run("RENAME", "src", longKey));
        Assert.Equal(Null, await _t.Run("GET", "src"));
        Assert.Equal(Bulk("v"), await _t.Run("GET", longKey));
        Assert.Equal(Int(100), await _t.Run("TTL", longKey));
        Assert.Equal("-ERR no such key\r\n", await _t.Run("RENAME", "src", "x"));
        await _t.Run("SET", "taken", "t");
        Assert.Equal(Int(0), await _t.Run("RENAMENX", longKey, "taken"));
        Assert.Equal(Int(1), await _t.Run("COPY", longKey, "copy"));
        Assert.Equal(Int(0), await _t.Run("COPY", longKey, "copy"));
        Assert.Equal(Int(1), await _t.Run("COPY", "taken", "copy", "REPLACE"));
        Assert.Equal(Bulk("t"), await _t.Run("GET", "copy"));
        Assert.Equal(Int(1), await _t.Run("COPY", "taken", "elsewhere", "DB", "4"));
        Assert.Equal(Bulk("t"), await _t.RunIn(4, "GET", "elsewhere"));
        Assert.Equal("-ERR source and destination objects are the same\r\n", await _t.Run("COPY", "taken", "taken"));
        Assert.Equal("+string\r\n", await _t.Run("TYPE", "taken"));
        Assert.Equal("+none\r\n", await _t.Run("TYPE", "missing"));
    }

    [Fact]
    public async Task RandomKeyOnAnEmptyDatabaseIsNull()
    {
        Assert.Equal(Null, await _t.Run("RANDOMKEY"));
        await _t.Run("SET", "only", "v");
        Assert.Equal(Bulk("only"), await _t.Run("RANDOMKEY"));
    }

    [Fact]
    public async Task KeysRepliesAreWellFormed()
    {
        await _t.Run("SET", "k\r\nwith newline", "v");
        var reply = await _t.Run("KEYS", "*");
        Assert.Equal("*1\r\n$15\r\nk\r\nwith newline\r\n", reply);
    }
}
