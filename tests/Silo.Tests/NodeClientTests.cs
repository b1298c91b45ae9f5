using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>
/// ioredis, the Node.js client, against a real silo: tests/node's `node --test` suite must pass whole.
/// The same suite also runs against redis-server 7, so an assertion there is what Redis itself does.
/// </summary>
public sealed class NodeClientTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task IoredisSuitePassesAgainstTheSilo()
    {
        RequireNode();
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("data"));
        var (exitCode, output) = await NodeTestRun.RunAsync(silo.Port, password: null, Timeout);
        Assert.True(exitCode == 0, $"node --test exited with {exitCode} against the silo:\n{output}\nsilo stderr:\n{silo.StandardError}");
    }

    [Fact]
    public async Task IoredisSuitePassesAgainstASiloWithAPassword()
    {
        RequireNode();
        const string password = "node-secret";
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("data"), true, "--requirepass", password);
        // Every connection of these files authenticates (HELLO 3 AUTH or AUTH, by protocol).
        var (exitCode, output) = await NodeTestRun.RunAsync(silo.Port, password, Timeout,
            "connection.test.js", "pubsub.test.js", "transactions.test.js");
        Assert.True(exitCode == 0, $"node --test exited with {exitCode} against the silo with a password:\n{output}\nsilo stderr:\n{silo.StandardError}");
    }

    [Fact]
    public async Task IoredisSuitePassesAgainstRedisServer()
    {
        RequireNode();
        await using var redis = await RedisServerProcess.StartAsync();
        var (exitCode, output) = await NodeTestRun.RunAsync(redis.Port, password: null, Timeout);
        Assert.True(exitCode == 0, $"node --test exited with {exitCode} against redis-server, so a test expects what Redis does not do:\n{output}");
    }

    private static void RequireNode()
    {
        // ./icefire test installs node and the packages; a missing one fails here rather than skipping.
        var missing = NodeTestRun.MissingPrerequisite();
        Assert.True(missing is null, missing);
    }
}
