using Xunit;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// A silo and a redis-server that a class's tests share, started once for all of them: each test compares the two
/// and starts from FLUSHALL on both, and leaves any setting it changes as it found it or changed on both alike.
/// </summary>
public sealed class DifferentialServers : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;
    private RedisServerProcess? _redis;

    internal SiloProcess Silo => _silo ?? throw new InvalidOperationException("not started");

    internal RedisServerProcess Redis => _redis ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync(_temp.Sub("data"));
        _redis = await RedisServerProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _silo!.DisposeAsync();
        await _redis!.DisposeAsync();
    }

    public void Dispose() => _temp.Dispose();
}
