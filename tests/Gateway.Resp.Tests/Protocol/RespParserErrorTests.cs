using System.Text;
using IceFire.Gateway.Resp.Protocol;
using Xunit;
using static IceFire.Gateway.Resp.Tests.Protocol.ParseHelper;

namespace IceFire.Gateway.Resp.Tests.Protocol;

/// <summary>Bad input costs the client an error reply, never the server its memory.</summary>
public sealed class RespParserErrorTests
{
    private const string InvalidMultibulk = "-ERR Protocol error: invalid multibulk length\r\n";
    private const string InvalidBulk = "-ERR Protocol error: invalid bulk length\r\n";

    private static void AssertError(string input, string expected, bool authenticated = true, RespLimits? limits = null)
    {
        var result = Parse(input, authenticated, limits);
        Assert.Equal(ParseStatus.Error, result.Status);
        Assert.Equal(expected, result.Error);
        Assert.Equal(0, result.Consumed);
    }

    [Theory]
    [InlineData("*abc\r\n")]
    [InlineData("*\r\n")]
    [InlineData("*01\r\n")]
    [InlineData("*+1\r\n")]
    [InlineData("*1 \r\n")]
    [InlineData("*99999999999999999999999\r\n")]
    [InlineData("*3000000000\r\n")]
    public void ABadMultibulkCountIsInvalid(string input) => AssertError(input, InvalidMultibulk);

    [Theory]
    [InlineData("*1\r\n+x\r\n", '+')]
    [InlineData("*1\r\n:1\r\n", ':')]
    [InlineData("*2\r\n$1\r\na\r\n*1\r\n", '*')]
    public void AnythingButABulkInsideAMultibulkIsRefused(string input, char got) =>
        AssertError(input, $"-ERR Protocol error: expected '$', got '{got}'\r\n");

    [Theory]
    [InlineData("*1\r\n$-5\r\n")]
    [InlineData("*1\r\n$-1\r\n")]
    [InlineData("*1\r\n$abc\r\n")]
    [InlineData("*1\r\n$\r\n")]
    [InlineData("*1\r\n$01\r\n")]
    [InlineData("*1\r\n$536870913\r\n")]
    [InlineData("*1\r\n$99999999999999999999\r\n")]
    public void ABadBulkLengthIsInvalid(string input) => AssertError(input, InvalidBulk);

    [Fact]
    public void ABulkAboveTheLimitIsRefusedBeforeAnythingIsAllocated()
    {
        var limits = new RespLimits { MaxBulkLength = 1000 };
        AssertError("*1\r\n$1001\r\n", InvalidBulk, limits: limits);
        Assert.Equal(ParseStatus.Incomplete, Parse("*1\r\n$1000\r\n", limits: limits).Status);

        var input = Bytes("*1\r\n$536870913\r\n");
        var args = new ArgumentList();
        RespParser.TryParse(input, args, Limits, true, out _, out _, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var status = RespParser.TryParse(input, args, Limits, true, out _, out _, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(0, args.Count);
        Assert.True(allocated < 1024, $"refusing a huge bulk allocated {allocated} bytes");
    }

    [Fact]
    public void AHugeDeclaredCountOrBulkAllocatesNothingWhileWaiting()
    {
        var args = new ArgumentList();
        var inputs = new[] { Bytes("*1000000\r\n"), Bytes("*1\r\n$536870912\r\nabc") };
        foreach (var input in inputs)
        {
            RespParser.TryParse(input, args, Limits, true, out _, out _, out _);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var status = RespParser.TryParse(input, args, Limits, true, out _, out var needed, out _);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(ParseStatus.Incomplete, status);
            Assert.True(needed > input.Length);
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void ALongLineWithoutNewlineIsRefused()
    {
        var inline = new string('A', 70 * 1024);
        AssertError(inline, "-ERR Protocol error: too big inline request\r\n");
        AssertError("*" + new string('1', 70 * 1024), "-ERR Protocol error: too big mbulk count string\r\n");
        AssertError("*1\r\n$" + new string('1', 70 * 1024), "-ERR Protocol error: too big bulk count string\r\n");
        // Below the limit the parser keeps waiting for the newline.
        Assert.Equal(ParseStatus.Incomplete, Parse(new string('A', 60 * 1024)).Status);
        Assert.Equal(ParseStatus.Incomplete, Parse("*" + new string('1', 60 * 1024)).Status);
    }

    [Fact]
    public void ALongInlineLineWithItsNewlineIsAccepted()
    {
        var word = new string('w', 100 * 1024);
        var result = Parse("ECHO " + word + "\r\n");
        Assert.Equal(ParseStatus.Complete, result.Status);
        Assert.Equal(word, result.Strings[1]);
    }

    [Fact]
    public void UnauthenticatedClientsGetTightLimits()
    {
        var ten = Multibulk(Enumerable.Repeat("a", 10).ToArray());
        Assert.Equal(ParseStatus.Complete, Parse(ten, authenticated: false).Status);
        var eleven = Encoding.ASCII.GetString(Multibulk(Enumerable.Repeat("a", 11).ToArray()));
        AssertError(eleven, "-ERR Protocol error: unauthenticated multibulk length\r\n", authenticated: false);
        Assert.Equal(ParseStatus.Complete, Parse(eleven).Status);

        var atLimit = Multibulk(Bytes("AUTH"), new byte[16384]);
        Assert.Equal(ParseStatus.Complete, Parse(atLimit, authenticated: false).Status);
        AssertError("*2\r\n$4\r\nAUTH\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n", authenticated: false);
        // Past proto-max-bulk-len the length is invalid whoever asks, as in Redis.
        AssertError("*2\r\n$4\r\nAUTH\r\n$999999999999\r\n", InvalidBulk, authenticated: false);
        Assert.Equal(ParseStatus.Incomplete, Parse("*2\r\n$4\r\nAUTH\r\n$16385\r\n").Status);
    }

    [Fact]
    public void AConfiguredArgumentCountLimitIsEnforced()
    {
        var limits = new RespLimits { MaxMultibulkLength = 3 };
        Assert.Equal(ParseStatus.Complete, Parse(Multibulk("A", "B", "C"), limits: limits).Status);
        AssertError("*4\r\n", InvalidMultibulk, limits: limits);
    }

    [Fact]
    public void TheErrorFramesAreRedisText()
    {
        Assert.Equal(InvalidMultibulk, Encoding.ASCII.GetString(RespParser.ErrInvalidMultibulk));
        Assert.Equal(InvalidBulk, Encoding.ASCII.GetString(RespParser.ErrInvalidBulk));
        Assert.Equal("-ERR Protocol error: too big inline request\r\n", Encoding.ASCII.GetString(RespParser.ErrTooBigInline));
    }
}
