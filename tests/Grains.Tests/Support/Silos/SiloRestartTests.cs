using Xunit;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>A silo of the in-process cluster restarted on its own data directory: the same node, a new Orleans generation.</summary>
public sealed class SiloRestartTests
{
    [Fact]
    public async Task A_restarted_silo_comes_back_as_the_same_node_with_its_replicas()
    {
        await using var cluster = await SiloCluster.StartAsync(3);
        var tenant = await cluster.CreateTenantAsync("kept");
        var leader = cluster.LeaderOf(tenant);
        var restarted = cluster.ReplicasOf(tenant)[1];
        var before = cluster[restarted];
        var clusterId = before.Node.ClusterId;

        var after = await cluster.RestartAsync(restarted);

        Assert.Equal(restarted, after.NodeId);
        Assert.Equal(clusterId, after.Node.ClusterId);
        Assert.False(after.Node.Founding);
        Assert.NotEqual(before.SiloAddress, after.SiloAddress);
        Assert.Equal(3, cluster.Silos.Count);
        // Its replica of the tenant's group opened from its data directory and follows the leader again.
        var commit = cluster[leader].Node.TenantGroup(tenant)!.CommitIndex;
        await Eventually.WaitUntilAsync(
            () => after.Node.TenantGroup(tenant) is { } group && group.AppliedIndex >= commit && group.Leader != 0,
            $"node {restarted}'s replica of {tenant} to apply what was committed before its restart", TimeSpan.FromSeconds(20));
    }
}
