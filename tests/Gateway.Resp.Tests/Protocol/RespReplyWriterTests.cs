using System.Text;
using IceFire.Gateway.Resp.Protocol;
using IceFire.Grains.Interfaces;
using Xunit;

namespace IceFire.Gateway.Resp.Tests.Protocol;

public sealed class RespReplyWriterTests : IDisposable
{
    private readonly ReplyBuffer _buffer = new();
    private readonly RespReplyWriter _writer;

    public RespReplyWriterTests()
    {
        _writer = new RespReplyWriter(_buffer);
    }

    public void Dispose() => _buffer.Dispose();

    private string Written => Encoding.Latin1.GetString(_buffer.WrittenMemory.Span);

    private string Render(RespProtocol protocol, Action<RespReplyWriter> write)
    {
        _buffer.Clear();
        _writer.Protocol = protocol;
        write(_writer);
        return Written;
    }

    [Theory]
    [InlineData(RespProtocol.Resp2, "$-1\r\n")]
    [InlineData(RespProtocol.Resp3, "_\r\n")]
    public void Null(RespProtocol protocol, string expected) => Assert.Equal(expected, Render(protocol, w => w.WriteNull()));

    [Theory]
    [InlineData(RespProtocol.Resp2, "*-1\r\n")]
    [InlineData(RespProtocol.Resp3, "_\r\n")]
    public void NullArray(RespProtocol protocol, string expected) => Assert.Equal(expected, Render(protocol, w => w.WriteNullArray()));

    [Theory]
    [InlineData(RespProtocol.Resp2, "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n")]
    [InlineData(RespProtocol.Resp3, "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n")]
    public void MapIsAFlatArrayInResp2(RespProtocol protocol, string expected) =>
        Assert.Equal(expected, Render(protocol, w =>
        {
            w.WriteMapHeader(2);
            w.WriteBulk("a"u8);
            w.WriteInteger(1);
            w.WriteBulk("b"u8);
            w.WriteInteger(2);
        }));

    [Theory]
    [InlineData(RespProtocol.Resp2, "*3\r\n")]
    [InlineData(RespProtocol.Resp3, "~3\r\n")]
    public void Set(RespProtocol protocol, string expected) => Assert.Equal(expected, Render(protocol, w => w.WriteSetHeader(3)));

    [Theory]
    [InlineData(RespProtocol.Resp2, 1.5, "$3\r\n1.5\r\n")]
    [InlineData(RespProtocol.Resp3, 1.5, ",1.5\r\n")]
    [InlineData(RespProtocol.Resp2, double.PositiveInfinity, "$3\r\ninf\r\n")]
    [InlineData(RespProtocol.Resp3, double.PositiveInfinity, ",inf\r\n")]
    [InlineData(RespProtocol.Resp2, double.NegativeInfinity, "$4\r\n-inf\r\n")]
    [InlineData(RespProtocol.Resp3, double.NegativeInfinity, ",-inf\r\n")]
    [InlineData(RespProtocol.Resp3, 3.0, ",3\r\n")]
    [InlineData(RespProtocol.Resp3, -2.25, ",-2.25\r\n")]
    [InlineData(RespProtocol.Resp3, 0.1, ",0.10000000000000001\r\n")]
    [InlineData(RespProtocol.Resp2, 1.1, "$18\r\n1.1000000000000001\r\n")]
    [InlineData(RespProtocol.Resp3, 1e20, ",1e+20\r\n")]
    [InlineData(RespProtocol.Resp3, 1.5e-7, ",1.4999999999999999e-07\r\n")]
    [InlineData(RespProtocol.Resp3, 0.0, ",0\r\n")]
    public void Double(RespProtocol protocol, double value, string expected) => Assert.Equal(expected, Render(protocol, w => w.WriteDouble(value)));

    [Fact]
    public void DoublesRoundTrip()
    {
        Span<byte> text = stackalloc byte[64];
        foreach (var value in new[] { 0.1 + 0.2, Math.PI, -1e-300, 1.7976931348623157e308, 123456.789 })
        {
            var length = RespReplyWriter.FormatDouble(value, text);
            Assert.Equal(value, double.Parse(Encoding.ASCII.GetString(text[..length]), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData(RespProtocol.Resp2, "$11\r\nSome string\r\n")]
    [InlineData(RespProtocol.Resp3, "=15\r\ntxt:Some string\r\n")]
    public void Verbatim(RespProtocol protocol, string expected) =>
        Assert.Equal(expected, Render(protocol, w => w.WriteVerbatim("txt"u8, "Some string"u8)));

    [Theory]
    [InlineData(RespProtocol.Resp2)]
    [InlineData(RespProtocol.Resp3)]
    public void FramingThatIsTheSameInBothDialects(RespProtocol protocol)
    {
        Assert.Equal("+OK\r\n", Render(protocol, w => w.WriteSimpleString("OK"u8)));
        Assert.Equal(":-9223372036854775808\r\n", Render(protocol, w => w.WriteInteger(long.MinValue)));
        Assert.Equal(":9223372036854775807\r\n", Render(protocol, w => w.WriteInteger(long.MaxValue)));
        Assert.Equal("$0\r\n\r\n", Render(protocol, w => w.WriteBulk(""u8)));
        Assert.Equal("$4\r\na\r\nb\r\n", Render(protocol, w => w.WriteBulk("a\r\nb"u8)));
        Assert.Equal("*0\r\n", Render(protocol, w => w.WriteArrayHeader(0)));
        Assert.Equal("-ERR x\r\n", Render(protocol, w => w.WriteRaw("-ERR x\r\n"u8)));
    }

    [Fact]
    public void ErrorTextHasItsLineBreaksReplacedWithSpaces()
    {
        Assert.Equal("-ERR bad  thing happened \r\n", Render(RespProtocol.Resp2, w => w.WriteError("ERR bad\r\nthing happened\n"u8)));
        Assert.Equal("-ERR plain\r\n", Render(RespProtocol.Resp3, w => w.WriteError("ERR plain"u8)));
    }

    [Fact]
    public void LargeRepliesGrowTheBuffer()
    {
        var value = new byte[100_000];
        value.AsSpan().Fill((byte)'v');
        var text = Render(RespProtocol.Resp2, w =>
        {
            w.WriteBulk(value);
            w.WriteInteger(7);
        });
        Assert.Equal("$100000\r\n" + new string('v', 100_000) + "\r\n:7\r\n", text);
    }

    [Fact]
    public void RewindDropsWhatWasWrittenAfterAPosition()
    {
        _writer.WriteSimpleString("first"u8);
        var position = _writer.Position;
        Assert.Equal(8, position);
        _writer.WriteBulk(new byte[5000]);
        _writer.Rewind(position);
        _writer.WriteInteger(2);
        Assert.Equal("+first\r\n:2\r\n", Written);
    }

    [Fact]
    public void ClearingAfterAHugeReplyReturnsTheLargeBuffer()
    {
        _writer.WriteBulk(new byte[2 << 20]);
        _buffer.Clear();
        Assert.Equal(0, _buffer.Length);
        Assert.True(_buffer.GetSpan().Length < 1 << 20, "an idle connection should not keep a multi-megabyte buffer");
        _writer.WriteInteger(1);
        Assert.Equal(":1\r\n", Written);
    }
}
