using System.Globalization;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>A silo started with no cluster option: a cluster of one with no cluster port, which can grow later.</summary>
public sealed class ClusterOfOneTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ASingleSiloOpensNoClusterPortAndGrowsIntoAClusterWhenRestartedWithOne()
    {
        var first = _temp.Sub("n1");
        await using (var silo = await SiloProcess.StartAsync(first))
        {
            await silo.WaitReadyAsync();
            Assert.DoesNotContain("cluster port", silo.StandardOutput);
            Assert.False(File.Exists(Path.Combine(first, "cluster", "peers.txt")));
            Assert.Equal("OK", await RedisCli.RunAsync(silo.Port, "set", "k", "from-one"));
            silo.Terminate();
            Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        var clusterPort = RedisServerProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var one = await SiloProcess.StartAsync(first, true, "--cluster-port", clusterPort);
        await one.WaitReadyAsync();
        Assert.Contains($"cluster port 127.0.0.1:{clusterPort}", one.StandardOutput);
        await using var two = await SiloProcess.StartAsync(_temp.Sub("n2"), true,
            "--cluster-port", RedisServerProcess.FreePort().ToString(CultureInfo.InvariantCulture), "--node-id", "2", "--seeds", $"127.0.0.1:{clusterPort}");
        await two.WaitReadyAsync();
        Assert.Contains("2 members", two.StandardOutput);
        // The new member serves the tenant the single silo held, its data included.
        Assert.Equal("from-one", await RedisCli.RunAsync(two.Port, "get", "k"));
        Assert.Equal("OK", await RedisCli.RunAsync(two.Port, "set", "k", "from-two"));
        Assert.Equal("from-two", await RedisCli.RunAsync(one.Port, "get", "k"));
    }
}
