using IceFire.Grains.Cluster.Membership;
using Orleans;
using Orleans.Runtime;
using IceFire.Grains.Tests.Support.Silos;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Membership;

/// <summary>
/// Which node a silo serves, kept in its membership row: other silos find a node's silo by it, whatever the silo's
/// name (the pod's name on Kubernetes).
/// </summary>
public sealed class MembershipNodeIdTests(OneSilo cluster) : IClassFixture<OneSilo>
{
    [Fact]
    public async Task A_silos_own_rows_name_its_node_and_other_silos_writes_keep_it()
    {
        var node = cluster.Node;
        var self = MembershipEntries.New();
        var own = new SystemGroupMembershipTable(node, node.ClusterId!, self.SiloAddress);
        var other = new SystemGroupMembershipTable(node, node.ClusterId!, MembershipEntries.NewSilo());
        Assert.True(await own.InsertRow(self, (await own.ReadAll()).Version.Next()));
        Assert.Equal(node.NodeId, node.NodeOfSilo(self.SiloAddress));

        // Another silo votes it suspect: its write cannot know the node, and the row keeps the one on record.
        var data = await own.ReadRow(self.SiloAddress);
        var (read, etag) = Assert.Single(data.Members);
        read.AddOrUpdateSuspector(MembershipEntries.NewSilo(), DateTime.UtcNow, 2);
        Assert.True(await other.UpdateRow(read, etag, data.Version.Next()));
        Assert.Equal(node.NodeId, node.NodeOfSilo(self.SiloAddress));

        // A silo whose row has not arrived maps to no node.
        Assert.Equal(0UL, node.NodeOfSilo(MembershipEntries.NewSilo()));
    }

    [Fact]
    public async Task A_restarted_node_marks_dead_only_its_own_earlier_silos()
    {
        var node = cluster.Node;
        var clusterId = "restart-" + Guid.NewGuid().ToString("N");
        var earlier = MembershipEntries.New(SiloStatus.Active);
        var legacy = MembershipEntries.New(SiloStatus.Active);
        legacy.SiloName = Grains.Cluster.Messaging.NodeNames.SiloName(node.NodeId);
        var stranger = MembershipEntries.New(SiloStatus.Active);
        stranger.SiloName = Grains.Cluster.Messaging.NodeNames.SiloName(node.NodeId + 1);
        // The earlier silo stamped its rows; the legacy and the other node's rows carry no node id, only a name.
        await InsertAsync(new SystemGroupMembershipTable(node, clusterId, earlier.SiloAddress), earlier);
        await InsertAsync(new SystemGroupMembershipTable(node, clusterId), legacy);
        await InsertAsync(new SystemGroupMembershipTable(node, clusterId), stranger);

        var table = new SystemGroupMembershipTable(node, clusterId);
        Assert.Equal(2, await table.DeclareEarlierSilosDeadAsync(node.NodeId));
        var statuses = (await table.ReadAll()).Members.ToDictionary(m => m.Item1.SiloAddress, m => m.Item1.Status);
        Assert.Equal(SiloStatus.Dead, statuses[earlier.SiloAddress]);
        Assert.Equal(SiloStatus.Dead, statuses[legacy.SiloAddress]);
        Assert.Equal(SiloStatus.Active, statuses[stranger.SiloAddress]);
        Assert.Equal(0, await table.DeclareEarlierSilosDeadAsync(node.NodeId));
    }

    private static async Task InsertAsync(SystemGroupMembershipTable table, MembershipEntry entry) =>
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
}
