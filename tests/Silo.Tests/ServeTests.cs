using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>`icefire serve` as a person uses it: a real process, real redis-cli, real files.</summary>
public sealed class ServeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RedisCliSetThenGet()
    {
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("data"));
        Assert.Equal("OK", await RedisCli.RunAsync(silo.Port, "set", "k", "v"));
        Assert.Equal("v", await RedisCli.RunAsync(silo.Port, "get", "k"));
        Assert.Contains("data in " + _temp.Sub("data"), silo.StandardOutput);
    }

    [Fact]
    public async Task AnsweredWriteSurvivesKillMinus9()
    {
        var data = _temp.Sub("data");
        await using (var silo = await SiloProcess.StartAsync(data))
        {
            using var socket = RespSocket.Connect(silo.Port);
            for (var i = 0; i < 200; i++)
            {
                Assert.Equal("+OK\r\n", socket.Call("SET", $"key:{i}", $"value:{i}"));
            }
            Assert.Equal(":1\r\n", socket.Call("EXPIRE", "key:0", "1000"));
            await silo.KillHardAsync();
        }
        await using (var silo = await SiloProcess.StartAsync(data))
        {
            using var socket = RespSocket.Connect(silo.Port);
            for (var i = 0; i < 200; i++)
            {
                Assert.Equal($"${$"value:{i}".Length}\r\nvalue:{i}\r\n", socket.Call("GET", $"key:{i}"));
            }
            var ttl = socket.Call("TTL", "key:0");
            Assert.Matches(@"^:(99\d|1000)\r\n$", ttl);
            Assert.Equal(":200\r\n", socket.Call("DBSIZE"));
        }
    }

    [Fact]
    public async Task ExpireAndTtlBehaveAsInRedis()
    {
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("data"));
        var port = silo.Port;
        Assert.Equal("OK", await RedisCli.RunAsync(port, "set", "k", "v"));
        Assert.Equal("-1", await RedisCli.RunAsync(port, "ttl", "k"));
        Assert.Equal("-2", await RedisCli.RunAsync(port, "ttl", "missing"));
        // Each redis-cli is a process of its own: the time to live leaves room for a slow start of the next one.
        Assert.Equal("1", await RedisCli.RunAsync(port, "pexpire", "k", "2000"));
        var pttl = long.Parse(await RedisCli.RunAsync(port, "pttl", "k"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pttl, 1, 2000);
        // The key disappears once its time is up, without anyone touching it (active expiry).
        await Eventually.WaitUntilAsync(async () => await RedisCli.RunAsync(port, "dbsize") == "0", "active expiry removes the expired key");
        Assert.Equal("", await RedisCli.RunAsync(port, "get", "k"));
        Assert.Equal("-2", await RedisCli.RunAsync(port, "ttl", "k"));
    }

    [Fact]
    public async Task SigtermStopsCleanly()
    {
        var data = _temp.Sub("data");
        await using var silo = await SiloProcess.StartAsync(data);
        Assert.Equal("OK", await RedisCli.RunAsync(silo.Port, "set", "k", "v"));
        silo.Terminate();
        Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("icefire: stopped", silo.StandardOutput);
    }

    [Fact]
    public async Task RefusesADirectoryThatIsNotIceFires()
    {
        var data = _temp.Sub("foreign");
        Directory.CreateDirectory(data);
        var precious = Path.Combine(data, "precious.txt");
        await File.WriteAllTextAsync(precious, "do not touch");
        await using var silo = await SiloProcess.StartAsync(data, waitReady: false);
        Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("is not an IceFire data directory", silo.StandardError);
        Assert.Equal(["precious.txt"], Directory.GetFileSystemEntries(data).Select(Path.GetFileName));
        Assert.Equal("do not touch", await File.ReadAllTextAsync(precious));
    }

    [Fact]
    public async Task RefusesACorruptDataFileAndLeavesItAsItWas()
    {
        var data = _temp.Sub("data");
        await using (var silo = await SiloProcess.StartAsync(data))
        {
            Assert.Equal("OK", await RedisCli.RunAsync(silo.Port, "set", "k", "v"));
            silo.Terminate();
            await silo.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        var file = Path.Combine(SiloProcess.TenantDirectory(data, "default")!, "data.mdb");
        var garbage = new byte[16384];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(file, garbage);
        await using (var silo = await SiloProcess.StartAsync(data, waitReady: false))
        {
            Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("cannot start", silo.StandardError);
            Assert.Contains("data.mdb", silo.StandardError + silo.StandardOutput + file);
        }
        Assert.Equal(garbage, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task KubernetesHostingOutsideAPodIsRefusedInOneLine()
    {
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("k8s"), false, "--kubernetes");
        Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("icefire: cannot start: --kubernetes runs only in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set", silo.StandardError);
        Assert.DoesNotContain("   at ", silo.StandardError + silo.StandardOutput);
    }

    [Fact]
    public async Task PortInUseIsReportedInOneLine()
    {
        await using var first = await SiloProcess.StartAsync(_temp.Sub("a"));
        await using var second = await SiloProcess.StartAsync(_temp.Sub("b"), false, "--resp-port", first.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("address is already in use", second.StandardError);
        Assert.DoesNotContain("   at ", second.StandardError + second.StandardOutput);
    }

    [Fact]
    public async Task SecondSiloOnTheSameDataDirectoryIsRefused()
    {
        var data = _temp.Sub("data");
        await using var first = await SiloProcess.StartAsync(data);
        await using var second = await SiloProcess.StartAsync(data, waitReady: false);
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("in use by another IceFire process", second.StandardError);
        Assert.Equal("PONG", await RedisCli.RunAsync(first.Port, "ping"));
    }

    [Fact]
    public async Task RequirePassGatesCommands()
    {
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("data"), true, "--requirepass", "s3cret");
        using var socket = RespSocket.Connect(silo.Port);
        Assert.Equal("-NOAUTH Authentication required.\r\n", socket.Call("GET", "k"));
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", socket.Call("AUTH", "nope"));
        Assert.Equal("+OK\r\n", socket.Call("AUTH", "s3cret"));
        Assert.Equal("$-1\r\n", socket.Call("GET", "k"));
    }
}
