using System.Text;
using IceFire.Gateway.Resp.Protocol;
using Xunit;
using static IceFire.Gateway.Resp.Tests.Protocol.ParseHelper;

namespace IceFire.Gateway.Resp.Tests.Protocol;

public sealed class RespParserTests
{
    [Fact]
    public void ParsesMultibulk()
    {
        var args = new ArgumentList();
        var input = Encoding.ASCII.GetBytes("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        var status = RespParser.TryParse(input, args, Limits, authenticated: true, out var consumed, out _, out _);
        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(input.Length, consumed);
        Assert.Equal("GET", Encoding.ASCII.GetString(args[0]));
        Assert.Equal("k", Encoding.ASCII.GetString(args[1]));
    }

    [Fact]
    public void BulkStringsAreBinarySafe()
    {
        var value = new byte[] { 0, (byte)'\r', (byte)'\n', 0xFF, (byte)'*', (byte)'$' };
        var input = Multibulk(Bytes("SET"), Bytes("k"), value);
        var result = Parse(input);
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(input.Length, result.Consumed);
        Assert.Equal(value, result.Args[2]);
    }

    [Fact]
    public void ArgumentsAreSlicesOfTheInputNotCopies()
    {
        var input = Multibulk("GET", "key");
        var args = new ArgumentList();
        RespParser.TryParse(input, args, Limits, true, out _, out _, out _);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(args.Memory(1), out var segment));
        Assert.Same(input, segment.Array);
    }

    [Fact]
    public void AnEmptyBulkIsAnEmptyArgument()
    {
        var result = Parse("*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(["GET", ""], result.Strings);
    }

    [Theory]
    [InlineData("*0\r\n")]
    [InlineData("*-1\r\n")]
    public void AnEmptyOrNullMultibulkIsACompleteCommandWithoutArguments(string input)
    {
        var result = Parse(input);
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(input.Length, result.Consumed);
        Assert.Empty(result.Args);
    }

    [Theory]
    [InlineData("\r\n", 2)]
    [InlineData("\n", 1)]
    [InlineData("   \t \r\n", 7)]
    public void AnEmptyInlineLineIsACompleteCommandWithoutArguments(string input, int consumed)
    {
        var result = Parse(input);
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(consumed, result.Consumed);
        Assert.Empty(result.Args);
    }

    [Fact]
    public void ParsesInlineCommands()
    {
        var result = Parse("SET  key   value\r\n");
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(18, result.Consumed);
        Assert.Equal(["SET", "key", "value"], result.Strings);
        Assert.Equal(["PING"], Parse("PING\n").Strings);
    }

    [Fact]
    public void ParsesPipelinedFramesBackToBack()
    {
        var frames = new[]
        {
            Multibulk("SET", "a", "1"),
            Bytes("PING\r\n"),
            Multibulk("GET", "a"),
            Bytes("*0\r\n"),
            Bytes("ECHO \"hi there\"\n"),
            Multibulk("DEL", "a", "b", "c"),
        };
        var input = frames.SelectMany(f => f).ToArray();
        var expected = new List<string[]>
        {
            new[] { "SET", "a", "1" }, new[] { "PING" }, new[] { "GET", "a" }, System.Array.Empty<string>(),
            new[] { "ECHO", "hi there" }, new[] { "DEL", "a", "b", "c" },
        };
        var offset = 0;
        var args = new ArgumentList();
        foreach (var (frame, want) in frames.Zip(expected))
        {
            var status = RespParser.TryParse(input.AsMemory(offset), args, Limits, true, out var consumed, out _, out _);
            Assert.Equal(ParseStatus.Complete, status);
            Assert.Equal(frame.Length, consumed);
            Assert.Equal(want, Enumerable.Range(0, args.Count).Select(i => Encoding.Latin1.GetString(args[i])));
            offset += consumed;
        }
        Assert.Equal(input.Length, offset);
        Assert.Equal(ParseStatus.Incomplete, RespParser.TryParse(input.AsMemory(offset), args, Limits, true, out _, out var needed, out _));
        Assert.Equal(1, needed);
    }

    [Fact]
    public void TheTwoBytesAfterBulkDataAreSkippedUnread()
    {
        // Redis does not check the CRLF after a bulk's data; neither does this parser.
        var result = Parse("*1\r\n$4\r\nPINGXY");
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(["PING"], result.Strings);
        Assert.Equal(14, result.Consumed);
    }

    [Fact]
    public void ParsingClearsTheArgumentsOfTheLastCommand()
    {
        var args = new ArgumentList();
        RespParser.TryParse(Multibulk("A", "B", "C"), args, Limits, true, out _, out _, out _);
        Assert.Equal(3, args.Count);
        RespParser.TryParse(Multibulk("D"), args, Limits, true, out _, out _, out _);
        Assert.Equal(1, args.Count);
        Assert.Equal("D", Encoding.ASCII.GetString(args[0]));
    }

    [Fact]
    public void ManyArgumentsGrowTheListAsTheyArrive()
    {
        var many = Enumerable.Range(0, 1000).Select(i => "arg" + i).ToArray();
        var result = Parse(Multibulk(many));
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(many, result.Strings);
    }
}
