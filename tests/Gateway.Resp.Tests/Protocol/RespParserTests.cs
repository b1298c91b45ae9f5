using System.Text;
using IceFire.Gateway.Resp.Protocol;
using Xunit;

namespace IceFire.Gateway.Resp.Tests.Protocol;

public sealed class RespParserTests
{
    private static readonly RespLimits Limits = new();

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
}
