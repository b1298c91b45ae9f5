using IceFire.Grains.Hosting;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using Xunit;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>Tenants of the in-process cluster: created through the system group, their groups led where a test says.</summary>
public sealed partial class SiloCluster
{
    private int _tenants;

    /// <summary>
    /// Creates a tenant named <paramref name="prefix"/> and a number unique in this cluster (tests of one class share
    /// their cluster, not their tenants), with <paramref name="password"/>, and waits until every replica of its group
    /// knows the same leader: its preferred replica, where leadership stays.
    /// </summary>
    public async Task<string> CreateTenantAsync(string prefix, string password = "")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _tenants)}";
        Assert.Equal(TenantChangeStatus.Done, await Nodes[0].CreateAsync(name, password));
        var preferred = PreferredLeaderOf(name);
        await WaitForLeaderAsync(name, leader => leader == preferred);
        return name;
    }

    /// <summary>
    /// The replica the cluster wants to lead <paramref name="tenant"/>'s group (the first of its placement): a silo that
    /// leads it otherwise hands the leadership back to it soon (ClusterNode's preferred-leader handover).
    /// </summary>
    public ulong PreferredLeaderOf(string tenant) => Silos[0].Node.State.Tenants[tenant].Replicas[0];

    /// <summary>The node whose replica leads tenant <paramref name="tenant"/>'s group.</summary>
    public ulong LeaderOf(string tenant) =>
        Silos.Single(s => s.Node.TenantGroup(tenant)?.Role == RaftRole.Leader).NodeId;

    /// <summary>The nodes with a replica of <paramref name="tenant"/>, its leader's first.</summary>
    public IReadOnlyList<ulong> ReplicasOf(string tenant)
    {
        var leader = LeaderOf(tenant);
        return [leader, .. Silos.Where(s => s.NodeId != leader && s.Node.TenantGroup(tenant) is not null).Select(s => s.NodeId)];
    }

    /// <summary>
    /// Moves the leadership of <paramref name="tenant"/>'s group to <paramref name="target"/> (Raft's leadership
    /// transfer, asked for again should it lapse) and waits until every replica knows a leader of a later term. Unless
    /// <paramref name="target"/> is the preferred replica (<see cref="PreferredLeaderOf"/>), the cluster soon hands the
    /// leadership back to that one: a test may rely on the old leader having stepped down, not on where leadership stays.
    /// </summary>
    public async Task MoveLeaderAsync(string tenant, ulong target)
    {
        var from = this[LeaderOf(tenant)].Node.TenantGroup(tenant)!;
        var term = from.Term;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                await from.TransferLeadershipAsync(target).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (RaftProposalException) when (DateTime.UtcNow < deadline)
            {
                // Refused: it stopped leading meanwhile, which is what the wait below looks for.
            }
            try
            {
                await WaitForLeaderAsync(tenant, _ => ReplicaGroups(tenant).All(g => g is not null && g.Term > term), TimeSpan.FromSeconds(3));
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    private List<RaftGroup?> ReplicaGroups(string tenant)
    {
        var silos = Silos;
        var replicas = silos[0].Node.State.Tenants[tenant].Replicas;
        return silos.Where(s => replicas.Contains(s.NodeId)).Select(s => s.Node.TenantGroup(tenant)).ToList();
    }

    /// <summary>Each replica of <paramref name="tenant"/>'s group as its silo sees it: node, role, leader and term.</summary>
    public string DescribeGroup(string tenant) => string.Join(", ", Silos.Select(s => s.Node.TenantGroup(tenant) is { } g
        ? $"node {s.NodeId}: {g.Role} of term {g.Term}, leader {g.Leader}"
        : $"node {s.NodeId}: no replica"));

    private Task WaitForLeaderAsync(string tenant, Func<ulong, bool> wanted, TimeSpan? timeout = null) =>
        Eventually.WaitUntilAsync(() =>
        {
            // Every replica the placement names is open on its silo, and all follow the same leader.
            var groups = ReplicaGroups(tenant);
            return groups.Count == Silos[0].Node.State.Tenants[tenant].Replicas.Count && groups.All(g => g is not null && g.Leader == groups[0]!.Leader && wanted(g.Leader))
                && groups.Count(g => g!.Role == RaftRole.Leader) == 1;
        }, $"every replica of tenant {tenant} to know the same leader (now {DescribeGroup(tenant)})", timeout ?? TimeSpan.FromSeconds(20));
}
