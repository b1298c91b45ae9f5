using IceFire.Grains.Storage.Keyspace;
using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainBitTests : IDisposable
{
    private const string BitOffsetError = "-ERR bit offset is not an integer or out of range\r\n";
    private const string NotInteger = "-ERR value is not an integer or out of range\r\n";
    private const string Syntax = "-ERR syntax error\r\n";
    private const string WrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task SetBitGrowsTheStringWithZerosAndRepliesWithTheOldBit()
    {
        Assert.Equal(Int(0), await _t.Run("SETBIT", "k", "100", "1"));
        Assert.Equal(Int(13), await _t.Run("STRLEN", "k"));
        Assert.Equal(Bulk(new string('\0', 12) + "\x08"), await _t.Run("GET", "k"));
        Assert.Equal(Int(1), await _t.Run("SETBIT", "k", "100", "1"));
        Assert.Equal(Int(1), await _t.Run("SETBIT", "k", "100", "0"));
        Assert.Equal(Int(0), await _t.Run("SETBIT", "k", "100", "0"));
        Assert.Equal(Int(13), await _t.Run("STRLEN", "k"));
        Assert.Equal(Ok, await _t.Run("SET", "s", "foobar"));
        Assert.Equal(Int(0), await _t.Run("SETBIT", "s", "7", "1"));
        Assert.Equal(Bulk("goobar"), await _t.Run("GET", "s"));
    }

    [Fact]
    public async Task SetBitKeepsTheTtl()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "abc", "EX", "100"));
        Assert.Equal(Int(1), await _t.Run("SETBIT", "k", "1", "1"));
        Assert.Equal(Int(0), await _t.Run("SETBIT", "k", "3", "1"));
        Assert.Equal(Int(0), await _t.Run("SETBIT", "k", "80", "1"));
        Assert.Equal(Int(100), await _t.Run("TTL", "k"));
        Assert.Equal(Bulk("qbc"), await _t.Run("GETRANGE", "k", "0", "2"));
    }

    [Fact]
    public async Task SetBitOnAnExpiredKeyStartsAFreshString()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "abc", "PX", "100"));
        _t.Clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(Int(0), await _t.Run("SETBIT", "k", "7", "1"));
        Assert.Equal(Bulk("\x01"), await _t.Run("GET", "k"));
        Assert.Equal(Int(-1), await _t.Run("TTL", "k"));
    }

    [Theory]
    [InlineData("-1", "1", BitOffsetError)]
    [InlineData("4294967296", "1", BitOffsetError)]
    [InlineData("abc", "1", BitOffsetError)]
    [InlineData("#1", "1", BitOffsetError)]
    [InlineData("1", "2", "-ERR bit is not an integer or out of range\r\n")]
    [InlineData("1", "-1", "-ERR bit is not an integer or out of range\r\n")]
    [InlineData("1", "x", "-ERR bit is not an integer or out of range\r\n")]
    public async Task SetBitRefusesBadArgumentsAndCreatesNothing(string offset, string bit, string error)
    {
        Assert.Equal(error, await _t.Run("SETBIT", "k", offset, bit));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "k"));
    }

    [Fact]
    public async Task GetBitReadsZeroPastTheEndAndOnMissingKeys()
    {
        Assert.Equal(Int(0), await _t.Run("GETBIT", "nokey", "0"));
        Assert.Equal(Int(0), await _t.Run("GETBIT", "nokey", "4294967295"));
        Assert.Equal(BitOffsetError, await _t.Run("GETBIT", "nokey", "4294967296"));
        Assert.Equal(BitOffsetError, await _t.Run("GETBIT", "nokey", "-1"));
        Assert.Equal(Ok, await _t.Run("SET", "k", "\x80\x01"));
        Assert.Equal(Int(1), await _t.Run("GETBIT", "k", "0"));
        Assert.Equal(Int(0), await _t.Run("GETBIT", "k", "1"));
        Assert.Equal(Int(1), await _t.Run("GETBIT", "k", "15"));
        Assert.Equal(Int(0), await _t.Run("GETBIT", "k", "16"));
    }

    [Fact]
    public async Task SetBitFarOutRentsABufferAndSurvivesAReopen()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "x", "EX", "1000"));
        Assert.Equal(Int(0), await _t.Run("SETBIT", "k", "8000007", "1"));
        Assert.Equal(Int(1_000_001), await _t.Run("STRLEN", "k"));
        _t.Reopen();
        Assert.Equal(Int(1), await _t.Run("GETBIT", "k", "8000007"));
        Assert.Equal(Int(1), await _t.Run("SETBIT", "k", "8000007", "0"));
        Assert.Equal(Int(1), await _t.Run("SETBIT", "k", "1", "0"));
        Assert.Equal(Bulk("8"), await _t.Run("GETRANGE", "k", "0", "0"));
        Assert.Equal(Int(3), await _t.Run("BITCOUNT", "k"));
        Assert.Equal(Int(1000), await _t.Run("TTL", "k"));
    }

    [Fact]
    public async Task BitCountCountsBytesOrBitRanges()
    {
        Assert.Equal(Ok, await _t.Run("SET", "s", "foobar"));
        Assert.Equal(Int(26), await _t.Run("BITCOUNT", "s"));
        Assert.Equal(Int(4), await _t.Run("BITCOUNT", "s", "0", "0"));
        Assert.Equal(Int(6), await _t.Run("BITCOUNT", "s", "1", "1"));
        Assert.Equal(Int(6), await _t.Run("BITCOUNT", "s", "1", "1", "byte"));
        Assert.Equal(Int(17), await _t.Run("BITCOUNT", "s", "5", "30", "BIT"));
        Assert.Equal(Int(4), await _t.Run("BITCOUNT", "s", "-1", "-1"));
        Assert.Equal(Int(1), await _t.Run("BITCOUNT", "s", "-2", "-1", "bit"));
        Assert.Equal(Int(26), await _t.Run("BITCOUNT", "s", "-100", "100"));
        Assert.Equal(Int(0), await _t.Run("BITCOUNT", "s", "-1", "-2"));
        // Both ends negative and crossed answer 0 before the unit is read.
        Assert.Equal(Int(0), await _t.Run("BITCOUNT", "s", "-100", "-200", "nonsense"));
        Assert.Equal(Int(0), await _t.Run("BITCOUNT", "s", "4", "2"));
        Assert.Equal(Syntax, await _t.Run("BITCOUNT", "s", "0"));
        Assert.Equal(Syntax, await _t.Run("BITCOUNT", "s", "0", "1", "WORD"));
        Assert.Equal(Syntax, await _t.Run("BITCOUNT", "s", "0", "1", "BIT", "x"));
        Assert.Equal(NotInteger, await _t.Run("BITCOUNT", "s", "a", "1"));
        // Redis 7.0 looks the key up first: a missing key counts 0 whatever the range says.
        Assert.Equal(Int(0), await _t.Run("BITCOUNT", "nokey", "a", "b", "c"));
        Assert.Equal(Int(0), await _t.Run("BITCOUNT", "nokey", "0"));
    }

    [Fact]
    public async Task BitPosFindsTheFirstSetOrClearBit()
    {
        Assert.Equal(Ok, await _t.Run("SET", "s", "\xff\xf0\x00"));
        Assert.Equal(Int(12), await _t.Run("BITPOS", "s", "0"));
        Assert.Equal(Int(0), await _t.Run("BITPOS", "s", "1"));
        Assert.Equal(Int(8), await _t.Run("BITPOS", "s", "1", "1"));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "s", "1", "2"));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "s", "1", "-1"));
        Assert.Equal(Int(5), await _t.Run("BITPOS", "s", "1", "5", "-1", "BIT"));
        Assert.Equal(Int(12), await _t.Run("BITPOS", "s", "0", "3", "12", "bit"));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "s", "0", "3", "11", "bit"));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "s", "1", "5", "4", "bit"));
        Assert.Equal(Ok, await _t.Run("SET", "ones", "\xff\xff"));
        // Without an end the string is zero-padded on the right; with one, it is not.
        Assert.Equal(Int(16), await _t.Run("BITPOS", "ones", "0"));
        Assert.Equal(Int(16), await _t.Run("BITPOS", "ones", "0", "1"));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "ones", "0", "0", "-1"));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "ones", "0", "5"));
        Assert.Equal(Ok, await _t.Run("SET", "empty", ""));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "empty", "0"));
        Assert.Equal(Int(0), await _t.Run("BITPOS", "nokey", "0"));
        Assert.Equal(Int(-1), await _t.Run("BITPOS", "nokey", "1", "x", "y", "z"));
        Assert.Equal("-ERR The bit argument must be 1 or 0.\r\n", await _t.Run("BITPOS", "s", "2"));
        Assert.Equal(NotInteger, await _t.Run("BITPOS", "s", "one"));
        Assert.Equal(NotInteger, await _t.Run("BITPOS", "s", "1", "0", "x"));
        // The unit is read before the end.
        Assert.Equal(Syntax, await _t.Run("BITPOS", "s", "1", "0", "x", "WORD"));
        Assert.Equal(Syntax, await _t.Run("BITPOS", "s", "1", "0", "1", "BIT", "x"));
    }

    [Fact]
    public async Task BitOpFoldsZeroPaddedSourcesIntoTheDestination()
    {
        Assert.Equal(Ok, await _t.Run("MSET", "a", "\xf0\x0f\xff", "b", "\x3c"));
        Assert.Equal(Int(3), await _t.Run("BITOP", "AND", "d", "a", "b"));
        Assert.Equal(Bulk("\x30\x00\x00"), await _t.Run("GET", "d"));
        Assert.Equal(Int(3), await _t.Run("BITOP", "or", "d", "a", "b", "nokey"));
        Assert.Equal(Bulk("\xfc\x0f\xff"), await _t.Run("GET", "d"));
        Assert.Equal(Int(3), await _t.Run("BITOP", "Xor", "d", "a", "b"));
        Assert.Equal(Bulk("\xcc\x0f\xff"), await _t.Run("GET", "d"));
        Assert.Equal(Int(3), await _t.Run("BITOP", "NOT", "d", "a"));
        Assert.Equal(Bulk("\x0f\xf0\x00"), await _t.Run("GET", "d"));
        Assert.Equal(Int(3), await _t.Run("BITOP", "AND", "a", "a", "nokey"));
        Assert.Equal(Bulk("\x00\x00\x00"), await _t.Run("GET", "a"));
        Assert.Equal("-ERR BITOP NOT must be called with a single source key.\r\n", await _t.Run("BITOP", "NOT", "d", "a", "b"));
        Assert.Equal(Syntax, await _t.Run("BITOP", "NAND", "d", "a"));
    }

    [Fact]
    public async Task BitOpDropsTheDestinationsTtlAndDeletesItOnAnEmptyResult()
    {
        Assert.Equal(Ok, await _t.Run("SET", "d", "old", "EX", "100"));
        Assert.Equal(Ok, await _t.Run("SET", "a", "x"));
        Assert.Equal(Int(1), await _t.Run("BITOP", "OR", "d", "a"));
        Assert.Equal(Int(-1), await _t.Run("TTL", "d"));
        Assert.Equal(Ok, await _t.Run("SET", "empty", ""));
        Assert.Equal(Int(0), await _t.Run("BITOP", "OR", "d", "nokey", "empty"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "d"));
    }

    [Fact]
    public async Task BitOpOnLongStringsMatchesAByteByByteFold()
    {
        var random = new Random(7);
        var a = new byte[1003];
        var b = new byte[517];
        var c = new byte[2050];
        random.NextBytes(a);
        random.NextBytes(b);
        random.NextBytes(c);
        var latin1 = System.Text.Encoding.Latin1;
        Assert.Equal(Ok, await _t.Run("MSET", "a", latin1.GetString(a), "b", latin1.GetString(b), "c", latin1.GetString(c)));
        foreach (var (op, fold) in new (string, Func<int, int, int>)[] { ("AND", (x, y) => x & y), ("OR", (x, y) => x | y), ("XOR", (x, y) => x ^ y) })
        {
            var expected = new byte[c.Length];
            for (var i = 0; i < expected.Length; i++)
            {
                var v = At(a, i);
                v = fold(v, At(b, i));
                v = fold(v, At(c, i));
                expected[i] = (byte)v;
            }
            Assert.Equal(Int(c.Length), await _t.Run("BITOP", op, "d", "a", "b", "c"));
            Assert.Equal(Bulk(latin1.GetString(expected)), await _t.Run("GET", "d"));
        }
        Assert.Equal(Int(a.Length), await _t.Run("BITOP", "NOT", "d", "a"));
        Assert.Equal(Bulk(latin1.GetString(a.Select(x => (byte)~x).ToArray())), await _t.Run("GET", "d"));
    }

    [Fact]
    public async Task EveryBitCommandRefusesAKeyOfAnotherType()
    {
        Assert.Equal(Ok, await _t.Run("SET", "s", "abc"));
        Assert.Equal(Int(1), await _t.Run("RPUSH", "l", "element"));
        Assert.Equal(WrongType, await _t.Run("SETBIT", "l", "0", "1"));
        Assert.Equal(WrongType, await _t.Run("GETBIT", "l", "0"));
        Assert.Equal(WrongType, await _t.Run("BITCOUNT", "l"));
        Assert.Equal(WrongType, await _t.Run("BITCOUNT", "l", "a", "b"));
        Assert.Equal(WrongType, await _t.Run("BITPOS", "l", "1"));
        Assert.Equal(WrongType, await _t.Run("BITOP", "AND", "d", "s", "l"));
        Assert.Equal(WrongType, await _t.Run("BITFIELD", "l", "GET", "u8", "0"));
        Assert.Equal(WrongType, await _t.Run("BITFIELD", "l", "SET", "u8", "0", "1"));
        Assert.Equal(WrongType, await _t.Run("BITFIELD", "l"));
        Assert.Equal(WrongType, await _t.Run("BITFIELD_RO", "l", "GET", "u8", "0"));
        // Argument errors that Redis checks first still come first.
        Assert.Equal(BitOffsetError, await _t.Run("GETBIT", "l", "-1"));
        Assert.Equal("-ERR The bit argument must be 1 or 0.\r\n", await _t.Run("BITPOS", "l", "3"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "d"));
        // BITOP overwrites a destination of any type.
        Assert.Equal(Int(3), await _t.Run("BITOP", "OR", "l", "s"));
        Assert.Equal(Bulk("abc"), await _t.Run("GET", "l"));
    }

    private static int At(byte[] bytes, int i) => i < bytes.Length ? bytes[i] : 0;
}
