using IceFire.Gateway.Resp.Protocol;
using Xunit;
using static IceFire.Gateway.Resp.Tests.Protocol.ParseHelper;

namespace IceFire.Gateway.Resp.Tests.Protocol;

/// <summary>Inline commands split as Redis' sdssplitargs splits them.</summary>
public sealed class InlineSplitterTests
{
    private static List<string> Split(string line)
    {
        var result = Parse(line + "\r\n");
        Assert.True(result.Status == ParseStatus.Complete, $"'{line}' gave {result.Status} {result.Error}");
        return result.Strings;
    }

    [Theory]
    [InlineData("SET k \"hello world\"", new[] { "SET", "k", "hello world" })]
    [InlineData("SET k 'hello world'", new[] { "SET", "k", "hello world" })]
    [InlineData("ECHO \"\"", new[] { "ECHO", "" })]
    [InlineData("ECHO ''", new[] { "ECHO", "" })]
    [InlineData("ECHO \"\\x41\\x4a\\x4B\"", new[] { "ECHO", "AJK" })]
    [InlineData("ECHO \"\\x4\"", new[] { "ECHO", "x4" })]
    [InlineData("ECHO \"\\xZZ\"", new[] { "ECHO", "xZZ" })]
    [InlineData("ECHO \"a\\nb\\rc\\td\\be\\af\"", new[] { "ECHO", "a\nb\rc\td\be\af" })]
    [InlineData("ECHO \"say \\\"hi\\\"\"", new[] { "ECHO", "say \"hi\"" })]
    [InlineData("ECHO \"back\\\\slash\"", new[] { "ECHO", "back\\slash" })]
    [InlineData("ECHO 'it\\'s'", new[] { "ECHO", "it's" })]
    [InlineData("ECHO 'no \\n escapes'", new[] { "ECHO", "no \\n escapes" })]
    [InlineData("ECHO a\"b c\"", new[] { "ECHO", "ab c" })]
    [InlineData("ECHO plain\\x41", new[] { "ECHO", "plain\\x41" })]
    [InlineData("  lead  and trail  ", new[] { "lead", "and", "trail" })]
    [InlineData("tab\tseparated", new[] { "tab", "separated" })]
    public void SplitsLikeSdssplitargs(string line, string[] expected)
    {
        Assert.Equal(expected, Split(line));
    }

    [Theory]
    [InlineData("ECHO \"unterminated")]
    [InlineData("ECHO 'unterminated")]
    [InlineData("ECHO \"closed\"glued")]
    [InlineData("ECHO 'closed'glued")]
    [InlineData("ECHO \"ends with backslash\\")]
    public void UnbalancedQuotesAreAProtocolError(string line)
    {
        var result = Parse(line + "\r\n");
        Assert.Equal(ParseStatus.Error, result.Status);
        Assert.Equal("-ERR Protocol error: unbalanced quotes in request\r\n", result.Error);
        Assert.Equal(RespParser.ErrUnbalancedQuotes.ToArray(), Bytes(result.Error!));
    }

    [Fact]
    public void PlainWordsAreSlicesOfTheLine()
    {
        var input = Bytes("GET key\r\n");
        var args = new ArgumentList();
        RespParser.TryParse(input, args, Limits, true, out _, out _, out _);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(args.Memory(1), out var segment));
        Assert.Same(input, segment.Array);
    }
}
