using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

/// <summary>Numbers and layouts that reach disk or the replicated log: a change here breaks existing data.</summary>
public sealed class PersistedFormatTests
{
    [Fact]
    public void ValueKindNumbersArePinned()
    {
        Assert.Equal(0, (byte)ValueKind.String);
        Assert.Equal(1, (byte)ValueKind.List);
        Assert.Equal(2, (byte)ValueKind.Set);
        Assert.Equal(3, (byte)ValueKind.ZSet);
        Assert.Equal(4, (byte)ValueKind.Hash);
        Assert.Equal(5, (byte)ValueKind.Stream);
        Assert.Equal(6, Enum.GetValues<ValueKind>().Length);
        Assert.Equal(0, (byte)ValueFlags.None);
        Assert.Equal(1, (byte)ValueFlags.LongKey);
    }

    [Fact]
    public void TypeNamesRoundTrip()
    {
        foreach (var kind in Enum.GetValues<ValueKind>())
        {
            var name = ValueKindNames.TypeName(kind);
            Assert.True(ValueKindNames.TryParse(name, out var parsed));
            Assert.Equal(kind, parsed);
            Assert.True(ValueKindNames.TryParse(System.Text.Encoding.ASCII.GetBytes(System.Text.Encoding.ASCII.GetString(name).ToUpperInvariant()), out _));
        }
        Assert.Equal("zset"u8.ToArray(), ValueKindNames.TypeName(ValueKind.ZSet).ToArray());
        Assert.Equal("none"u8.ToArray(), ValueKindNames.TypeName((ValueKind)200).ToArray());
        Assert.False(ValueKindNames.TryParse("none"u8, out _));
    }

    [Fact]
    public void TheHeaderOfAShortKeysValueIsKindFlagsAndLittleEndianExpiry()
    {
        var raw = new byte[StoredValue.HeaderLength + 3];
        var start = StoredValue.WriteHeader(raw, ValueKind.Hash, 0x0102030405060708, "key"u8);
        "abc"u8.CopyTo(raw.AsSpan(start));
        Assert.Equal(10, StoredValue.HeaderLength);
        Assert.Equal(10, start);
        Assert.Equal(new byte[] { 4, 0, 8, 7, 6, 5, 4, 3, 2, 1, (byte)'a', (byte)'b', (byte)'c' }, raw);
        var value = StoredValue.Parse(raw);
        Assert.Equal(ValueKind.Hash, value.Kind);
        Assert.Equal(0x0102030405060708, value.ExpireAtMs);
        Assert.Equal("abc"u8.ToArray(), value.Payload.ToArray());
        Assert.True(value.FullKey.IsEmpty);
        Assert.Equal(14, StoredValue.Overhead("key"u8));
    }

    [Fact]
    public void ALongKeysValueCarriesTheWholeKeyAfterTheHeader()
    {
        var key = new byte[KeyEncoding.MaxInlineKey + 1];
        key.AsSpan().Fill((byte)'k');
        var overhead = StoredValue.Overhead(key);
        Assert.Equal(10 + 4 + key.Length + 4, overhead);
        var raw = new byte[overhead - 4 + 2];
        var start = StoredValue.WriteHeader(raw, ValueKind.Stream, 0, key);
        Assert.Equal(overhead - 4, start);
        raw[^2] = 0xEE;
        raw[^1] = 0xFF;
        Assert.Equal(new byte[] { 5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x91, 0x01, 0, 0 }, raw[..14]);
        Assert.Equal(key, raw[14..^2]);
        var value = StoredValue.Parse(raw);
        Assert.Equal(key, value.FullKey.ToArray());
        Assert.Equal(new byte[] { 0xEE, 0xFF }, value.Payload.ToArray());
    }

    [Fact]
    public void SetExpireAtRewritesBytesTwoToNine()
    {
        var raw = new byte[StoredValue.HeaderLength];
        StoredValue.WriteHeader(raw, ValueKind.String, 0, "k"u8);
        StoredValue.SetExpireAt(raw, 0x1122334455667788);
        Assert.Equal(new byte[] { 0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, raw);
    }

    [Fact]
    public void AValueShorterThanItsHeaderIsCorruption()
    {
        Assert.Throws<StorageCorruptionException>(() => StoredValue.Parse(new byte[9]));
    }

    [Fact]
    public void CommandIdNumbersArePinned()
    {
        var expected = new Dictionary<CommandId, int>
        {
            [CommandId.None] = 0,
            [CommandId.Ping] = 1, [CommandId.Echo] = 2, [CommandId.Hello] = 3, [CommandId.Quit] = 4,
            [CommandId.Select] = 5, [CommandId.Auth] = 6, [CommandId.Client] = 7, [CommandId.Command] = 8,
            [CommandId.Info] = 9, [CommandId.DbSize] = 10, [CommandId.FlushDb] = 11, [CommandId.FlushAll] = 12,
            [CommandId.Time] = 13, [CommandId.Config] = 14, [CommandId.Reset] = 15, [CommandId.ReadOnly] = 16, [CommandId.ReadWrite] = 17, [CommandId.Role] = 18,
            [CommandId.Get] = 100, [CommandId.Set] = 101, [CommandId.SetNx] = 102, [CommandId.SetEx] = 103,
            [CommandId.PSetEx] = 104, [CommandId.GetSet] = 105, [CommandId.GetDel] = 106, [CommandId.GetEx] = 107,
            [CommandId.MGet] = 108, [CommandId.MSet] = 109, [CommandId.MSetNx] = 110, [CommandId.Incr] = 111,
            [CommandId.IncrBy] = 112, [CommandId.Decr] = 113, [CommandId.DecrBy] = 114, [CommandId.IncrByFloat] = 115,
            [CommandId.Append] = 116, [CommandId.StrLen] = 117, [CommandId.GetRange] = 118, [CommandId.SetRange] = 119,
            [CommandId.Substr] = 120,
            [CommandId.Del] = 200, [CommandId.Unlink] = 201, [CommandId.Exists] = 202, [CommandId.Expire] = 203,
            [CommandId.PExpire] = 204, [CommandId.ExpireAt] = 205, [CommandId.PExpireAt] = 206, [CommandId.ExpireTime] = 207,
            [CommandId.PExpireTime] = 208, [CommandId.Ttl] = 209, [CommandId.PTtl] = 210, [CommandId.Persist] = 211,
            [CommandId.Type] = 212, [CommandId.Keys] = 213, [CommandId.Scan] = 214, [CommandId.Rename] = 215,
            [CommandId.RenameNx] = 216, [CommandId.RandomKey] = 217, [CommandId.Copy] = 218, [CommandId.Touch] = 219,
            [CommandId.SetBit] = 300, [CommandId.GetBit] = 301, [CommandId.BitCount] = 302, [CommandId.BitPos] = 303,
            [CommandId.BitOp] = 304, [CommandId.BitField] = 305, [CommandId.BitFieldRo] = 306, [CommandId.HSet] = 400,
            [CommandId.HGet] = 401, [CommandId.HMSet] = 402, [CommandId.HMGet] = 403, [CommandId.HGetAll] = 404,
            [CommandId.HDel] = 405, [CommandId.HExists] = 406, [CommandId.HLen] = 407, [CommandId.HKeys] = 408,
            [CommandId.HVals] = 409, [CommandId.HIncrBy] = 410, [CommandId.HIncrByFloat] = 411, [CommandId.HSetNx] = 412,
            [CommandId.HStrLen] = 413, [CommandId.HRandField] = 414, [CommandId.HScan] = 415, [CommandId.LPush] = 500,
            [CommandId.RPush] = 501, [CommandId.LPushX] = 502, [CommandId.RPushX] = 503, [CommandId.LPop] = 504,
            [CommandId.RPop] = 505, [CommandId.LLen] = 506, [CommandId.LRange] = 507, [CommandId.LIndex] = 508,
            [CommandId.LSet] = 509, [CommandId.LInsert] = 510, [CommandId.LRem] = 511, [CommandId.LTrim] = 512,
            [CommandId.LPos] = 513, [CommandId.LMove] = 514, [CommandId.RPopLPush] = 515, [CommandId.LMPop] = 516,
            [CommandId.BLPop] = 517, [CommandId.BRPop] = 518, [CommandId.BLMove] = 519, [CommandId.BRPopLPush] = 520,
            [CommandId.BLMPop] = 521, [CommandId.SAdd] = 600, [CommandId.SRem] = 601, [CommandId.SMembers] = 602,
            [CommandId.SIsMember] = 603, [CommandId.SMIsMember] = 604, [CommandId.SCard] = 605, [CommandId.SPop] = 606,
            [CommandId.SRandMember] = 607, [CommandId.SInter] = 608, [CommandId.SUnion] = 609, [CommandId.SDiff] = 610,
            [CommandId.SInterStore] = 611, [CommandId.SUnionStore] = 612, [CommandId.SDiffStore] = 613, [CommandId.SInterCard] = 614,
            [CommandId.SMove] = 615, [CommandId.SScan] = 616, [CommandId.ZAdd] = 700, [CommandId.ZRem] = 701,
            [CommandId.ZScore] = 702, [CommandId.ZMScore] = 703, [CommandId.ZIncrBy] = 704, [CommandId.ZCard] = 705,
            [CommandId.ZCount] = 706, [CommandId.ZLexCount] = 707, [CommandId.ZRank] = 708, [CommandId.ZRevRank] = 709,
            [CommandId.ZRange] = 710, [CommandId.ZRangeStore] = 711, [CommandId.ZRangeByScore] = 712, [CommandId.ZRevRangeByScore] = 713,
            [CommandId.ZRangeByLex] = 714, [CommandId.ZRevRangeByLex] = 715, [CommandId.ZRevRange] = 716, [CommandId.ZPopMin] = 717,
            [CommandId.ZPopMax] = 718, [CommandId.ZMPop] = 719, [CommandId.BZPopMin] = 720, [CommandId.BZPopMax] = 721,
            [CommandId.BZMPop] = 722, [CommandId.ZRemRangeByRank] = 723, [CommandId.ZRemRangeByScore] = 724, [CommandId.ZRemRangeByLex] = 725,
            [CommandId.ZUnion] = 726, [CommandId.ZInter] = 727, [CommandId.ZDiff] = 728, [CommandId.ZUnionStore] = 729,
            [CommandId.ZInterStore] = 730, [CommandId.ZDiffStore] = 731, [CommandId.ZInterCard] = 732, [CommandId.ZRandMember] = 733,
            [CommandId.ZScan] = 734, [CommandId.Subscribe] = 800, [CommandId.PSubscribe] = 801, [CommandId.Unsubscribe] = 802,
            [CommandId.PUnsubscribe] = 803, [CommandId.Publish] = 804, [CommandId.PubSub] = 805, [CommandId.Multi] = 900,
            [CommandId.Exec] = 901, [CommandId.Discard] = 902, [CommandId.Watch] = 903, [CommandId.Unwatch] = 904,
            [CommandId.Object] = 905, [CommandId.PfAdd] = 1000, [CommandId.PfCount] = 1001, [CommandId.PfMerge] = 1002,
            [CommandId.PfDebug] = 1003,
        };
        foreach (var (id, number) in expected)
        {
            Assert.True(number == (int)id, $"CommandId.{id} is {(int)id}, the log expects {number}");
        }
        // A new command must get a new number and a line above; none may be renumbered or dropped.
        Assert.Equal(expected.Count, Enum.GetValues<CommandId>().Length);
    }

    [Theory]
    [InlineData("GET", CommandId.Get)]
    [InlineData("set", CommandId.Set)]
    [InlineData("Del", CommandId.Del)]
    [InlineData("incr", CommandId.Incr)]
    public void TheCommandTableMapsNamesToTheirIds(string name, CommandId id)
    {
        var info = CommandTable.Find(System.Text.Encoding.ASCII.GetBytes(name));
        Assert.NotNull(info);
        Assert.Equal(id, info.Id);
        Assert.Same(info, CommandTable.Get(id));
    }

    [Fact]
    public void EveryTableEntryHasAUniqueIdAndName()
    {
        var ids = new HashSet<CommandId>();
        foreach (var info in CommandTable.All)
        {
            Assert.True(ids.Add(info.Id), $"{info.Name} reuses id {info.Id}");
            Assert.Same(info, CommandTable.Find(System.Text.Encoding.ASCII.GetBytes(info.Name)));
        }
        Assert.Null(CommandTable.Find("nosuchcommand"u8));
        Assert.Null(CommandTable.Find(""u8));
    }
}
