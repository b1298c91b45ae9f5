using IceFire.Grains.Storage.Lmdb;
using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>Hashes over the members database: members go wherever their key goes, and nowhere else.</summary>
public sealed class TenantGrainHashTests : IDisposable
{
    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    private long MemberEntries()
    {
        using var read = _t.Grain.Keyspace.Environment.BeginRead();
        return read.Count(_t.Grain.Keyspace.MembersDatabase);
    }

    private async Task FillHash(string key, int fields)
    {
        var args = new List<string> { "HSET", key };
        for (var i = 0; i < fields; i++)
        {
            args.Add($"field:{i:D5}");
            args.Add($"value:{i}");
        }
        Assert.Equal(Int(fields), await _t.Run([.. args]));
    }

    [Fact]
    public async Task DeletingOrOverwritingAHashRemovesItsMembers()
    {
        await FillHash("h", 100);
        Assert.Equal(100, MemberEntries());
        Assert.Equal(Int(1), await _t.Run("DEL", "h"));
        Assert.Equal(0, MemberEntries());

        await FillHash("h", 10);
        Assert.Equal(Ok, await _t.Run("SET", "h", "now a string"));
        Assert.Equal(0, MemberEntries());

        await FillHash("h2", 10);
        Assert.Equal(Ok, await _t.Run("FLUSHDB"));
        Assert.Equal(0, MemberEntries());
    }

    [Fact]
    public async Task EmptiedHashDisappears()
    {
        await _t.Run("HSET", "h", "a", "1", "b", "2");
        Assert.Equal(Int(2), await _t.Run("HDEL", "h", "a", "b", "c"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "h"));
        Assert.Equal(0, MemberEntries());
    }

    [Fact]
    public async Task RenameMovesMembersAndCopyDuplicatesThem()
    {
        await FillHash("h", 20);
        Assert.Equal(Ok, await _t.Run("RENAME", "h", "moved"));
        Assert.Equal(Int(20), await _t.Run("HLEN", "moved"));
        Assert.Equal(Bulk("value:7"), await _t.Run("HGET", "moved", "field:00007"));
        Assert.Equal(20, MemberEntries());

        Assert.Equal(Int(1), await _t.Run("COPY", "moved", "copy"));
        Assert.Equal(40, MemberEntries());
        Assert.Equal(Int(1), await _t.Run("HDEL", "moved", "field:00007"));
        Assert.Equal(Bulk("value:7"), await _t.Run("HGET", "copy", "field:00007"));
        Assert.Equal(Int(19), await _t.Run("HLEN", "moved"));
        Assert.Equal(Int(20), await _t.Run("HLEN", "copy"));
    }

    [Fact]
    public async Task ExpiredHashIsSweptWithItsMembers()
    {
        await FillHash("h", 50);
        Assert.Equal(Int(1), await _t.Run("PEXPIRE", "h", "100"));
        _t.Clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(Int(0), await _t.Run("HLEN", "h"));
        await Support.Eventually.WaitUntilAsync(() => MemberEntries() == 0, "the sweep removes the expired hash's members");
        Assert.Equal(0, await _t.DbSize());
    }

    [Fact]
    public async Task HscanOfALargeHashVisitsEveryFieldOnce()
    {
        await FillHash("big", 1000);
        var seen = new HashSet<string>();
        var cursor = "0";
        var calls = 0;
        do
        {
            var reply = await _t.Run("HSCAN", "big", cursor, "COUNT", "37");
            var lines = reply.Split("\r\n");
            cursor = lines[2];
            for (var i = 4; i + 3 < lines.Length; i += 4)
            {
                Assert.True(seen.Add(lines[i + 1]), $"field {lines[i + 1]} returned twice");
            }
            calls++;
        }
        while (cursor != "0" && calls < 1000);
        Assert.Equal(1000, seen.Count);
        Assert.InRange(calls, 20, 40);
    }

    [Fact]
    public async Task LongFieldsStayExact()
    {
        var a = new string('f', 2000) + "a";
        var b = new string('f', 2000) + "b";
        Assert.Equal(Int(2), await _t.Run("HSET", "h", a, "1", b, "2"));
        Assert.Equal(Bulk("1"), await _t.Run("HGET", "h", a));
        Assert.Equal(Bulk("2"), await _t.Run("HGET", "h", b));
        var all = await _t.Run("HKEYS", "h");
        Assert.Contains(a, all);
        Assert.Contains(b, all);
    }

    [Fact]
    public async Task HashSurvivesReopen()
    {
        await FillHash("h", 30);
        _t.Reopen();
        Assert.Equal(Int(30), await _t.Run("HLEN", "h"));
        Assert.Equal(Bulk("value:29"), await _t.Run("HGET", "h", "field:00029"));
        // Collection ids keep counting after a restart, so a new hash never reuses an old one's members.
        await _t.Run("HSET", "other", "x", "y");
        Assert.Equal(Int(30), await _t.Run("HLEN", "h"));
        Assert.Equal(31, MemberEntries());
    }
}
