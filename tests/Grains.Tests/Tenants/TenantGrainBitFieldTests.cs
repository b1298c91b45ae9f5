using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainBitFieldTests : IDisposable
{
    private const string TypeError = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n";
    private const string BitOffsetError = "-ERR bit offset is not an integer or out of range\r\n";

    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    private static string Ints(params long?[] values) =>
        $"*{values.Length}\r\n" + string.Concat(values.Select(v => v is null ? Null : Int(v.Value)));

    [Fact]
    public async Task SetReturnsTheOldValueAndIncrByTheNewOne()
    {
        Assert.Equal(Ints(0, 156, 56), await _t.Run("BITFIELD", "k", "SET", "i8", "0", "-100", "GET", "u8", "0", "INCRBY", "i8", "0", "-100"));
        Assert.Equal(Bulk("8"), await _t.Run("GET", "k"));
        // #N offsets count fields of the type's width.
        Assert.Equal(Ints(0, 7), await _t.Run("BITFIELD", "k", "SET", "u4", "#3", "7", "GET", "u4", "#3"));
        Assert.Equal(Bulk("8\x07"), await _t.Run("GET", "k"));
        Assert.Equal(Ints(), await _t.Run("BITFIELD", "k"));
    }

    [Fact]
    public async Task OverflowModesApplyToTheOperationsAfterThem()
    {
        Assert.Equal(Ints(-128, 127, null, 127), await _t.Run("BITFIELD", "k",
            "INCRBY", "i8", "0", "128",
            "OVERFLOW", "SAT", "INCRBY", "i8", "0", "1000",
            "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "1",
            "GET", "i8", "0"));
        Assert.Equal(Ints(15, 0, null, 0), await _t.Run("BITFIELD", "u",
            "OVERFLOW", "SAT", "INCRBY", "u4", "0", "100", "INCRBY", "u4", "0", "-100",
            "OVERFLOW", "FAIL", "INCRBY", "u4", "0", "-1",
            "OVERFLOW", "WRAP", "GET", "u4", "0"));
        // SET checks the value against the type too: -1 does not fit u4, SAT takes the top.
        Assert.Equal(Ints(0, 15, 15), await _t.Run("BITFIELD", "s", "OVERFLOW", "WRAP", "SET", "u4", "0", "-1",
            "OVERFLOW", "SAT", "SET", "u4", "0", "-1", "GET", "u4", "0"));
        Assert.Equal(Ints(0, 15), await _t.Run("BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i5", "4", "99", "GET", "i5", "4"));
    }

    [Fact]
    public async Task SixtyFourBitSignedFieldsWrapAndSaturate()
    {
        Assert.Equal(Ints(long.MinValue, long.MinValue, null), await _t.Run("BITFIELD", "k",
            "INCRBY", "i64", "0", "-9223372036854775808",
            "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1",
            "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "-1"));
        Assert.Equal(Ints(long.MaxValue, long.MinValue), await _t.Run("BITFIELD", "k", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "1"));
        Assert.Equal(Ints(long.MinValue, long.MinValue, long.MinValue), await _t.Run("BITFIELD", "k",
            "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "-1", "SET", "i64", "0", "9223372036854775807"));
        Assert.Equal(Ints(long.MaxValue, long.MaxValue >> 1), await _t.Run("BITFIELD_RO", "k", "GET", "i64", "0", "GET", "u63", "0"));
    }

    [Fact]
    public async Task WritesGrowTheStringEvenWhenTheyFail()
    {
        Assert.Equal(Ints(null, 0), await _t.Run("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "7", "GET", "u8", "0"));
        Assert.Equal(Int(13), await _t.Run("STRLEN", "k"));
        Assert.Equal(Ints(0), await _t.Run("BITFIELD", "missing", "GET", "u8", "0"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "missing"));
        Assert.Equal(Ints(0), await _t.Run("BITFIELD_RO", "missing", "GET", "u8", "0"));
    }

    [Fact]
    public async Task WritesKeepTheTtl()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "a", "EX", "100"));
        Assert.Equal(Ints(97), await _t.Run("BITFIELD", "k", "SET", "u8", "0", "98"));
        Assert.Equal(Ints(0), await _t.Run("BITFIELD", "k", "SET", "u8", "16", "98"));
        Assert.Equal(Bulk("b\0b"), await _t.Run("GET", "k"));
        Assert.Equal(Int(100), await _t.Run("TTL", "k"));
    }

    [Fact]
    public async Task GetReadsPastTheEndAsZeros()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "\xff"));
        Assert.Equal(Ints(-1, 0xff0, 15, 0), await _t.Run("BITFIELD_RO", "k", "GET", "i8", "0", "GET", "u12", "0", "GET", "u4", "4", "GET", "u8", "8"));
        Assert.Equal(Ints(-16), await _t.Run("BITFIELD_RO", "k", "GET", "i8", "4"));
    }

    [Theory]
    [InlineData(TypeError, "GET", "u64", "0")]
    [InlineData(TypeError, "GET", "i65", "0")]
    [InlineData(TypeError, "GET", "I8", "0")]
    [InlineData(TypeError, "GET", "u0", "0")]
    [InlineData(TypeError, "GET", "u08", "0")]
    [InlineData(TypeError, "GET", "", "0")]
    [InlineData(BitOffsetError, "GET", "u8", "-1")]
    [InlineData(BitOffsetError, "GET", "u8", "#")]
    [InlineData(BitOffsetError, "GET", "u8", "#-1")]
    [InlineData(BitOffsetError, "GET", "u8", "4294967296")]
    [InlineData(BitOffsetError, "GET", "u8", "#536870912")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "SET", "u8", "0", "x")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "INCRBY", "u8", "0", "1.5")]
    [InlineData("-ERR Invalid OVERFLOW type specified\r\n", "OVERFLOW", "BOUNCE")]
    [InlineData("-ERR syntax error\r\n", "GET", "u8")]
    [InlineData("-ERR syntax error\r\n", "SET", "u8", "0")]
    [InlineData("-ERR syntax error\r\n", "OVERFLOW")]
    [InlineData("-ERR syntax error\r\n", "DEL", "u8", "0")]
    [InlineData("-ERR syntax error\r\n", "SET", "u8", "0", "1", "GET")]
    public async Task BadOperationsAreRefusedBeforeAnythingRuns(string error, params string[] ops)
    {
        Assert.Equal(error, await _t.Run(["BITFIELD", "k", "SET", "u8", "0", "1", .. ops]));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "k"));
    }

    [Fact]
    public async Task HashOffsetsMultiplyAsCDoes()
    {
        // 288230376151711745 * 64 wraps to 64 in 64-bit arithmetic, as in redis-server.
        Assert.Equal(Ints(0), await _t.Run("BITFIELD", "k", "GET", "i64", "#288230376151711745"));
        Assert.Equal(Ints(0), await _t.Run("BITFIELD", "k", "GET", "u8", "#536870911"));
    }

    [Fact]
    public async Task BitFieldRoRefusesWritesAfterCheckingEveryOperation()
    {
        const string roError = "-ERR BITFIELD_RO only supports the GET subcommand\r\n";
        Assert.Equal(roError, await _t.Run("BITFIELD_RO", "k", "SET", "u8", "0", "1"));
        Assert.Equal(roError, await _t.Run("BITFIELD_RO", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1"));
        Assert.Equal(TypeError, await _t.Run("BITFIELD_RO", "k", "SET", "u64", "0", "1"));
        Assert.Equal(Ints(0), await _t.Run("BITFIELD_RO", "k", "GET", "u8", "0", "OVERFLOW", "SAT"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "k"));
    }
}
