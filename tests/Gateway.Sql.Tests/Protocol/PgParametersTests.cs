using System.Buffers.Binary;
using System.Text;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;
using Xunit;

namespace IceFire.Gateway.Sql.Tests.Protocol;

/// <summary>Every decoder answers PostgreSQL's SQLSTATE for a bad value, and PostgreSQL's infinities are kept.</summary>
public sealed class PgParametersTests
{
    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static string Binary(uint oid, byte[] data)
    {
        var error = PgParameters.Decode(data, oid, binary: true, 0, out var value);
        return error is null ? value.Kind + ":" + value : error.SqlState + ":" + error.Message;
    }

    private static string Text(uint oid, string data)
    {
        var error = PgParameters.Decode(Encoding.UTF8.GetBytes(data), oid, binary: false, 0, out var value);
        return error is null ? value.Kind + ":" + value : error.SqlState + ":" + error.Message;
    }

    [Fact]
    public void DatesAndTimestampsKeepInfinitiesAndRefuseWhatIsOutOfRange()
    {
        Assert.Equal("Text:infinity", Binary(1082, Int32(int.MaxValue)));
        Assert.Equal("Text:-infinity", Binary(1082, Int32(int.MinValue)));
        Assert.Equal("Text:2000-01-01", Binary(1082, Int32(0)));
        Assert.Equal("Text:9999-12-31", Binary(1082, Int32(2_921_939)));
        Assert.Equal("22008:date out of range", Binary(1082, Int32(2_921_940)));
        Assert.Equal("22008:date out of range", Binary(1082, Int32(int.MinValue + 1)));
        foreach (var oid in new uint[] { 1114, 1184 })
        {
            Assert.Equal("Text:infinity", Binary(oid, Int64(long.MaxValue)));
            Assert.Equal("Text:-infinity", Binary(oid, Int64(long.MinValue)));
            Assert.Equal("22008:timestamp out of range", Binary(oid, Int64(long.MaxValue - 1)));
            Assert.Equal("22008:timestamp out of range", Binary(oid, Int64(long.MinValue + 1)));
            Assert.Equal("22008:timestamp out of range", Binary(oid, Int64(200_000L * 365 * 86_400_000_000)));
        }
        Assert.Equal("Text:2000-01-01 00:00:01.5", Binary(1114, Int64(1_500_000)));
        Assert.Equal("Text:1999-12-31 23:59:59+00:00", Binary(1184, Int64(-1_000_000)));
        Assert.Equal("Text:12:00:00.25", Binary(1083, Int64(43_200_250_000)));
        Assert.Equal("22008:time out of range", Binary(1083, Int64(-1)));
    }

    [Fact]
    public void IntervalsAreWrittenAsPostgresPrintsThem()
    {
        byte[] Interval(long micros, int days, int months) => [.. Int64(micros), .. Int32(days), .. Int32(months)];
        Assert.Equal("Text:1 year 2 mons 3 days 04:05:06.5", Binary(1186, Interval(14_706_500_000, 3, 14)));
        Assert.Equal("Text:-1 days -00:00:01", Binary(1186, Interval(-1_000_000, -1, 0)));
        Assert.Equal("Text:00:00:00", Binary(1186, Interval(0, 0, 0)));
        Assert.StartsWith("Text:-2562047788:00:54.775808", Binary(1186, Interval(long.MinValue, 0, 0)));
    }

    [Theory]
    [InlineData(16u, 0)]
    [InlineData(21u, 1)]
    [InlineData(23u, 3)]
    [InlineData(20u, 7)]
    [InlineData(700u, 2)]
    [InlineData(701u, 4)]
    [InlineData(1082u, 2)]
    [InlineData(1083u, 4)]
    [InlineData(1114u, 0)]
    [InlineData(1184u, 7)]
    [InlineData(1186u, 15)]
    [InlineData(2950u, 15)]
    [InlineData(1700u, 6)]
    [InlineData(3802u, 0)]
    public void ShortBinaryValuesAreProtocolViolations(uint oid, int length) =>
        Assert.Equal("08P01:insufficient data left in message", Binary(oid, new byte[length]));

    [Theory]
    [InlineData(16u, 2)]
    [InlineData(21u, 3)]
    [InlineData(23u, 5)]
    [InlineData(20u, 9)]
    [InlineData(1082u, 8)]
    [InlineData(2950u, 17)]
    public void LongBinaryValuesAreIncorrectBinaryData(uint oid, int length) =>
        Assert.StartsWith("22P03:incorrect binary data format", Binary(oid, new byte[length]));

    [Fact]
    public void MalformedBinaryNumericsAndJsonbAre22P03()
    {
        Assert.Equal("22P03:invalid sign in external \"numeric\" value", Binary(1700, [0, 0, 0, 0, 0x12, 0x34, 0, 0]));
        Assert.Equal("22P03:invalid digit in external \"numeric\" value", Binary(1700, [0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10]));
        Assert.Equal("22P03:invalid scale in external \"numeric\" value", Binary(1700, [0, 0, 0, 0, 0, 0, 0xC0, 0]));
        Assert.Equal("Integer:12345", Binary(1700, [0, 2, 0, 1, 0, 0, 0, 0, 0, 1, 0x09, 0x29]));
        Assert.Equal("Real:-1.5", Binary(1700, [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 1, 0x13, 0x88]));
        Assert.Equal("Real:Infinity", Binary(1700, [0, 0, 0, 0, 0xD0, 0, 0, 0]));
        Assert.StartsWith("22P03:unsupported jsonb version number 2", Binary(3802, [2, (byte)'1']));
        Assert.Equal("Text:{\"a\":1}", Binary(3802, [1, .. "{\"a\":1}"u8.ToArray()]));
    }

    [Fact]
    public void TextIntegersAreCheckedAgainstTheirType()
    {
        Assert.Equal("Integer:-32768", Text(21, "-32768"));
        Assert.Equal("22003:value \"70000\" is out of range for type smallint", Text(21, "70000"));
        Assert.Equal("22003:value \"2147483648\" is out of range for type integer", Text(23, "2147483648"));
        Assert.Equal("22003:value \"9223372036854775808\" is out of range for type bigint", Text(20, "9223372036854775808"));
        Assert.Equal("22P02:invalid input syntax for type bigint: \"12x\"", Text(20, "12x"));
        Assert.Equal("22P02:invalid input syntax for type integer: \"\"", Text(23, ""));
        Assert.Equal("Integer:4294967295", Text(26, "-1"));
    }

    [Fact]
    public void TextFloatsNumericsBooleansUuidsAndJsonAreChecked()
    {
        Assert.Equal("22003:\"1e999\" is out of range for type double precision", Text(701, "1e999"));
        Assert.Equal("22003:\"1e39\" is out of range for type real", Text(700, "1e39"));
        Assert.Equal("Real:-Infinity", Text(701, "-inf"));
        Assert.Equal("Real:NaN", Text(701, "NaN"));
        Assert.Equal("22P02:invalid input syntax for type double precision: \"one\"", Text(701, "one"));
        Assert.Equal("22P02:invalid input syntax for type numeric: \"1.2.3\"", Text(1700, "1.2.3"));
        Assert.Equal("Integer:1", Text(16, " Yes "));
        Assert.Equal("Integer:0", Text(16, "of"));
        Assert.Equal("22P02:invalid input syntax for type boolean: \"o\"", Text(16, "o"));
        Assert.Equal("22P02:invalid input syntax for type uuid: \"xyz\"", Text(2950, "xyz"));
        Assert.Equal("22P02:invalid input syntax for type json", Text(114, "{\"a\":"));
        Assert.Equal("22P02:invalid input syntax for type json", Text(114, "1 2"));
        Assert.Equal("Text:[1, 2]", Text(3802, "[1, 2]"));
    }

    [Fact]
    public void ByteaTextHasHexAndEscapeFormats()
    {
        static string Hex(string text)
        {
            var error = PgParameters.Decode(Encoding.UTF8.GetBytes(text), 17, binary: false, 0, out var value);
            return error is null ? Convert.ToHexString(value.Bytes) : error.SqlState + ":" + error.Message;
        }
        Assert.Equal("0AFF", Hex("\\x0aFF"));
        Assert.Equal("0AFF", Hex("\\x0a ff"));
        // PostgreSQL's hex decoder answers 22023 (invalid_parameter_value) and names the whole character.
        Assert.Equal("22023:invalid hexadecimal data: odd number of digits", Hex("\\x0af"));
        Assert.Equal("22023:invalid hexadecimal digit: \"g\"", Hex("\\x0g"));
        Assert.Equal("22023:invalid hexadecimal digit: \"é\"", Hex("\\x0é"));
        Assert.Equal("615C00FF", Hex("a\\\\\\000\\377"));
        Assert.Equal("22P02:invalid input syntax for type bytea", Hex("a\\9"));
    }

    [Fact]
    public void TextThatIsNotUtf8Is22021()
    {
        var error = PgParameters.Decode([0x66, 0xff], 25, binary: false, 0, out _);
        Assert.Equal((SqlStates.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0xff"), (error!.SqlState, error.Message));
        Assert.NotNull(PgParameters.Decode([0x66, 0x00], 25, binary: true, 0, out _));
        Assert.NotNull(PgParameters.Decode([0xc3], 1043, binary: false, 0, out _));
        Assert.Null(PgParameters.Decode("é"u8, 25, binary: true, 0, out _));
    }

    [Fact]
    public void BinaryTypesWithoutADecoderAreRefused() =>
        Assert.StartsWith("42883:no binary input function available for type", Binary(1007, new byte[12]));
}
