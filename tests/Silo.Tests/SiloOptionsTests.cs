using IceFire.Grains.Tenants;
using Xunit;

namespace IceFire.Silo.Tests;

public sealed class SiloOptionsTests
{
    [Fact]
    public void ParsesEveryFlag()
    {
        var options = SiloOptions.Parse(
            ["--data", "/tmp/x", "--bind", "0.0.0.0", "--resp-port", "7000", "--requirepass", "pw", "--durability", "periodic"],
            out var error, out var help);
        Assert.Null(error);
        Assert.False(help);
        Assert.NotNull(options);
        Assert.Equal("/tmp/x", options.Data);
        Assert.Equal("0.0.0.0", options.Bind);
        Assert.Equal(7000, options.RespPort);
        Assert.Equal("pw", options.RequirePass);
        Assert.Equal(DurabilityMode.Periodic, options.Durability);
    }

    [Fact]
    public void RefusesUnknownDurability()
    {
        Assert.Null(SiloOptions.Parse(["--durability", "never"], out var error, out _));
        Assert.Contains("always or periodic", error);
    }
}
