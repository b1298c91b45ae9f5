using System.Globalization;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainDurabilityTests
{
    [Theory]
    [InlineData(DurabilityMode.Always)]
    [InlineData(DurabilityMode.Periodic)]
    public async Task AcknowledgedWritesSurviveDisposeAndReopen(DurabilityMode durability)
    {
        using var t = new TenantHarness(new TenantOptions { Durability = durability });
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(Ok, await t.RunIn(i % 16, "SET", "k" + i, "v" + i));
        }
        Assert.Equal(Ok, await t.Run("SET", "ttl", "v", "EX", "1000"));
        Assert.Equal(Int(1), await t.Run("DEL", "k0"));
        t.Reopen();
        Assert.Equal(Null, await t.Run("GET", "k0"));
        for (var i = 1; i < 20; i++)
        {
            Assert.Equal(Bulk("v" + i), await t.RunIn(i % 16, "GET", "k" + i));
        }
        Assert.Equal(Int(1000), await t.Run("TTL", "ttl"));
    }

    [Fact]
    public void OpeningADamagedTenantThrowsAndLeavesTheFileAlone()
    {
        using var dir = new TempDirectory("icefire-damaged");
        var garbage = new byte[16384];
        garbage.AsSpan().Fill(0x5A);
        var dataFile = Path.Combine(dir.Path, "data.mdb");
        File.WriteAllBytes(dataFile, garbage);
        var error = Assert.ThrowsAny<Exception>(() => ReplicatedTenant.Open("t", dir.Path, new TenantOptions(), nodeId: 1));
        Assert.True(error is IceFire.Grains.Storage.Lmdb.LmdbException { IsCorruption: true } or StorageCorruptionException, error.ToString());
        Assert.Equal(garbage, File.ReadAllBytes(dataFile));
    }

    [Fact]
    public async Task TheMapGrowsUnderTheGrainAndEveryAcknowledgedValueSurvives()
    {
        const int Values = 96;
        const int Size = 64 * 1024; // about 6 MB into a 1 MiB map
        using var t = new TenantHarness(new TenantOptions { Durability = DurabilityMode.Periodic, InitialMapSize = 1L << 20 });
        var initialMap = t.Grain.Keyspace.Environment.MapSize;
        var writes = new Task<string>[Values];
        for (var i = 0; i < Values; i++)
        {
            // Concurrent writers, so group commits carry several values when the map fills.
            writes[i] = t.Run("SET", "big" + i, Value(i, Size));
        }
        var replies = await Task.WhenAll(writes);
        Assert.All(replies, r => Assert.Equal(Ok, r));
        Assert.True(t.Grain.Keyspace.Environment.MapSize > initialMap, "the map should have grown");
        t.Reopen();
        Assert.Equal(Values, await t.DbSize());
        for (var i = 0; i < Values; i++)
        {
            Assert.True(Bulk(Value(i, Size)) == await t.Run("GET", "big" + i), $"value {i} differs after reopen");
        }
    }

    private static string Value(int i, int size)
    {
        var prefix = i.ToString(CultureInfo.InvariantCulture) + ":";
        return prefix + new string((char)('a' + i % 26), size - prefix.Length);
    }
}
