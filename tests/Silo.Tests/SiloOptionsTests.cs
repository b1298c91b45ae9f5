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
    public void TakesASiloNameOrKubernetesHostingButNotBoth()
    {
        Assert.Equal("alpha", SiloOptions.Parse(["--silo-name", "alpha"], out _, out _)!.SiloName);
        Assert.True(SiloOptions.Parse(["--kubernetes"], out _, out _)!.Kubernetes);
        Assert.Null(SiloOptions.Parse(["--silo-name", "al pha"], out var error, out _));
        Assert.Equal("--silo-name takes a name without spaces, not 'al pha'", error);
        Assert.Null(SiloOptions.Parse(["--kubernetes", "--silo-name", "alpha"], out error, out _));
        Assert.Equal("--silo-name cannot be used with --kubernetes, which names the silo after its pod", error);
    }

    [Fact]
    public void RefusesUnknownDurability()
    {
        Assert.Null(SiloOptions.Parse(["--durability", "never"], out var error, out _));
        Assert.Contains("always or periodic", error);
    }

    [Fact]
    public void AdminApiIsOffUnlessAPortIsGiven()
    {
        var options = SiloOptions.Parse([], out _, out _)!;
        Assert.Null(options.AdminPort);
        options = SiloOptions.Parse(["--admin-port", "9090", "--admin-token=t"], out var error, out _);
        Assert.Null(error);
        Assert.Equal(9090, options!.AdminPort);
        Assert.Equal("t", options.AdminToken);
    }

    [Fact]
    public void RefusesABadOrCollidingAdminPort()
    {
        Assert.Null(SiloOptions.Parse(["--admin-port", "http"], out var error, out _));
        Assert.Contains("--admin-port must be a port number", error);
        Assert.Null(SiloOptions.Parse(["--admin-port", "7000", "--resp-port", "7000"], out error, out _));
        Assert.Contains("must differ", error);
    }
}
