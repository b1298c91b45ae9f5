using IceFire.Grains.Hosting;
using IceFire.Raft;
using Xunit;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>Tenants of the in-process cluster: created through the system group, their groups led where a test says.</summary>
public sealed partial class SiloCluster
{
    private int _tenants;

    /// <summary>
    /// Creates a tenant named <paramref name="prefix"/> and a number unique in this cluster (tests of one class share
    /// their cluster, not their tenants), with <paramref name="password"/>, and waits until every replica of its group
    /// knows the same leader.
    /// </summary>
    public async Task<string> CreateTenantAsync(string prefix, string password = "")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _tenants)}";
        Assert.Equal(TenantChangeStatus.Done, await Nodes[0].CreateAsync(name, password));
        await WaitForLeaderAsync(name, leader => leader != 0);
        return name;
    }

    /// <summary>The node whose replica leads tenant <paramref name="tenant"/>'s group.</summary>
    public ulong LeaderOf(string tenant) =>
        Silos.Single(s => s.Node.TenantGroup(tenant)?.Role == RaftRole.Leader).NodeId;

    /// <summary>The nodes with a replica of <paramref name="tenant"/>, its leader's first.</summary>
    public IReadOnlyList<ulong> ReplicasOf(string tenant)
    {
        var leader = LeaderOf(tenant);
        return [leader, .. Silos.Where(s => s.NodeId != leader && s.Node.TenantGroup(tenant) is not null).Select(s => s.NodeId)];
    }

    /// <summary>Moves the leadership of <paramref name="tenant"/>'s group to <paramref name="target"/> and waits until every replica knows it.</summary>
    public async Task MoveLeaderAsync(string tenant, ulong target)
    {
        var leader = this[LeaderOf(tenant)].Node.TenantGroup(tenant)!;
        if (leader.Leader != target)
        {
            await leader.TransferLeadershipAsync(target).WaitAsync(TimeSpan.FromSeconds(20));
        }
        await WaitForLeaderAsync(tenant, leader => leader == target);
        Assert.Equal(target, LeaderOf(tenant));
    }

    private Task WaitForLeaderAsync(string tenant, Func<ulong, bool> wanted) =>
        Eventually.WaitUntilAsync(() =>
        {
            // Every replica the placement names is open on its silo, and all follow the same leader.
            var silos = Silos;
            var replicas = silos[0].Node.State.Tenants[tenant].Replicas;
            var groups = silos.Where(s => replicas.Contains(s.NodeId)).Select(s => s.Node.TenantGroup(tenant)).ToList();
            return groups.Count == replicas.Count && groups.All(g => g is not null && g.Leader == groups[0]!.Leader && wanted(g.Leader))
                && groups.Count(g => g!.Role == RaftRole.Leader) == 1;
        }, $"every replica of tenant {tenant} to know the same leader", TimeSpan.FromSeconds(20));
}
