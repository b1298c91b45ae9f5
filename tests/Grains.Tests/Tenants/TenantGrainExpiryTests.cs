using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainExpiryTests : IDisposable
{
    private readonly TenantHarness _t = new(new TenantOptions
    {
        Durability = DurabilityMode.Periodic,
        SweepInterval = TimeSpan.FromMilliseconds(10),
    });

    public void Dispose() => _t.Dispose();

    [Fact]
    public async Task AKeyWithPx100IsGoneAfterTheClockPassesItAndTheSweepRemovesIt()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "v", "PX", "100"));
        Assert.Equal(Ok, await _t.Run("SET", "stays", "v"));
        _t.Clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(Bulk("v"), await _t.Run("GET", "k"));
        Assert.Equal(Int(1), await _t.Run("PTTL", "k"));
        _t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(Null, await _t.Run("GET", "k"));
        Assert.Equal(Int(-2), await _t.Run("TTL", "k"));
        Assert.Equal(Int(0), await _t.Run("EXISTS", "k"));
        await Eventually.WaitUntilAsync(async () => await _t.DbSize() == 1, "the active sweep removes the expired key, leaving DBSIZE 1");
        Assert.Equal(Bulk("v"), await _t.Run("GET", "stays"));
        var info = await _t.Grain.GetInfoAsync();
        Assert.Equal(1, info.ExpiredKeys);
        Assert.Equal([(0, 1L, 0L)], info.Keyspace);
    }

    [Fact]
    public async Task TheSweepLeavesKeysWhoseTimeIsNotUp()
    {
        Assert.Equal(Ok, await _t.Run("SET", "k", "v", "EX", "10"));
        // Give the sweep every chance to run: it must still find nothing to remove.
        var before = (await _t.Grain.GetInfoAsync()).Commits;
        await Eventually.WaitUntilAsync(async () =>
        {
            await _t.Run("SET", "tick", "x");
            return (await _t.Grain.GetInfoAsync()).Commits >= before + 5;
        }, "five more commits go through the writer loop");
        Assert.Equal(Bulk("v"), await _t.Run("GET", "k"));
        Assert.Equal(2, await _t.DbSize());
    }

    [Fact]
    public async Task TheSweepEmptiesManyExpiredKeysInRounds()
    {
        using var t = new TenantHarness(new TenantOptions
        {
            Durability = DurabilityMode.Periodic,
            SweepInterval = TimeSpan.FromMilliseconds(10),
            SweepLimit = 7,
        });
        var sets = Enumerable.Range(0, 50).Select(i => t.RunIn(i % 3, "SET", "k" + i, "v", "PX", (10 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(await Task.WhenAll(sets), r => Assert.Equal(Ok, r));
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitUntilAsync(async () => await t.DbSize(0) + await t.DbSize(1) + await t.DbSize(2) == 0,
            "the sweep removes all 50 expired keys across three databases");
        Assert.Equal(50, (await t.Grain.GetInfoAsync()).ExpiredKeys);
    }

    [Fact]
    public async Task AWriteToAnExpiredKeyStartsFromNothing()
    {
        using var t = new TenantHarness(new TenantOptions
        {
            Durability = DurabilityMode.Periodic,
            SweepInterval = TimeSpan.FromHours(1),
        });
        Assert.Equal(Ok, await t.Run("SET", "n", "41", "PX", "100"));
        t.Clock.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(1, await t.DbSize());
        Assert.Equal(Int(1), await t.Run("INCR", "n"));
        Assert.Equal(Int(-1), await t.Run("TTL", "n"));
    }

    [Fact]
    public async Task ExpiredKeysAreHiddenFromKeysScanAndExists()
    {
        using var t = new TenantHarness(new TenantOptions
        {
            Durability = DurabilityMode.Periodic,
            SweepInterval = TimeSpan.FromHours(1),
        });
        await t.Run("SET", "live", "v");
        await t.Run("SET", "dead", "v", "PX", "10");
        t.Clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(Array("live"), await t.Run("KEYS", "*"));
        Assert.Equal("*2\r\n$1\r\n0\r\n" + Array("live"), await t.Run("SCAN", "0"));
        Assert.Equal(Int(1), await t.Run("EXISTS", "live", "dead"));
        Assert.Equal("+none\r\n", await t.Run("TYPE", "dead"));
        Assert.Equal(Bulk("live"), await t.Run("RANDOMKEY"));
    }

    [Fact]
    public async Task AKeyExpiredInATransactionThatIsRetriedIsCountedOnce()
    {
        using var t = new TenantHarness(new TenantOptions
        {
            Durability = DurabilityMode.Periodic,
            SweepInterval = TimeSpan.FromHours(1),
            InitialMapSize = 1L << 20,
        });
        Assert.Equal(Ok, await t.Run("SET", "n", "1", "PX", "100"));
        t.Clock.Advance(TimeSpan.FromMilliseconds(200));
        // The INCR removes the expired key, then the large SET fills the map: the whole batch runs again.
        var big = new string('x', 3 << 20);
        var reply = await t.RunBatch(0, TenantHarness.Args("INCR", "n"), TenantHarness.Args("SET", "big", big));
        Assert.Equal(Int(1) + Ok, reply);
        var info = await t.Grain.GetInfoAsync();
        Assert.Equal(1, info.ExpiredKeys);
        Assert.Equal(3, info.CommandsWritten);
    }
}
