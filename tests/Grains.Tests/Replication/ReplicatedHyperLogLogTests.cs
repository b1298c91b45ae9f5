using Xunit;
using static IceFire.Grains.Tests.Replication.TenantCluster;

namespace IceFire.Grains.Tests.Replication;

/// <summary>PFCOUNT caches its estimate in the value: every replica must end with the same bytes.</summary>
public sealed class ReplicatedHyperLogLogTests : ReplicaGroupTestBase
{
    // Bytes 8..15 of the value (the cached cardinality, little-endian, bit 63 meaning stale) read as BITFIELD reads them.
    private static readonly string[] CacheBytes = ["BITFIELD_RO", "h", "GET", "i64", "#1"];

    [Fact]
    public async Task PfCountStoresItsEstimateOnEveryReplica()
    {
        Assert.Equal(":1\r\n", await Group.RunOnLeaderAsync(["PFADD", "h", "a", "b", "c"]));
        await Group.AssertReplicasConvergeAsync(["GET", "h"], CacheBytes);
        AssertCacheOnEveryReplica("*1\r\n:128\r\n");

        Assert.Equal(":3\r\n", await Group.RunOnLeaderAsync(["PFCOUNT", "h"]));
        await Group.AssertReplicasConvergeAsync(["GET", "h"], CacheBytes);
        AssertCacheOnEveryReplica("*1\r\n:216172782113783808\r\n");

        // Several keys merge without writing; PFMERGE of a sparse and a dense value turns dense everywhere.
        Assert.Equal(":1\r\n", await Group.RunOnLeaderAsync([.. Elements("big", 3000)]));
        Assert.Equal("+OK\r\n", await Group.RunOnLeaderAsync(["PFMERGE", "h", "h", "big"]));
        Assert.Equal(":12304\r\n", await Group.RunOnLeaderAsync(["STRLEN", "h"]));
        await Group.AssertReplicasConvergeAsync(["GET", "h"], ["GET", "big"], ["PFCOUNT", "h", "big"]);
    }

    private void AssertCacheOnEveryReplica(string expected)
    {
        foreach (var replica in Group.Replicas.Values)
        {
            var batch = Batch(CacheBytes);
            replica.Tenant.ExecuteLocalReads(batch);
            Assert.Equal(expected, Replies(batch));
        }
    }

    private static string[] Elements(string key, int count)
    {
        var command = new string[count + 2];
        command[0] = "PFADD";
        command[1] = key;
        for (var i = 0; i < count; i++)
        {
            command[i + 2] = "e" + i;
        }
        return command;
    }
}
