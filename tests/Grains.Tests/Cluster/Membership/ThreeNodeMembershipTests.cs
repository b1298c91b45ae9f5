using Google.Protobuf;
using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Membership;
using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Tests.Support;
using IceFire.Grains.Tests.Support.Silos;
using IceFire.Raft;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Membership;

/// <summary>The membership table on a three-silo system group over loopback TCP.</summary>
[Collection(ThreeSilos.Collection)]
public sealed class ThreeNodeMembershipTests(ThreeSilos silos)
{
    [Fact]
    public async Task A_write_through_a_follower_lands_once_and_its_retry_after_a_leader_change_is_not_applied_again()
    {
        var cluster = silos.Cluster;
        var leader = cluster.SystemLeader;
        var follower = cluster.Nodes.First(n => n != leader);
        var clusterId = "three-" + Guid.NewGuid().ToString("N");
        var table = new SystemGroupMembershipTable(follower, clusterId);

        var entry = MembershipEntries.New();
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        foreach (var node in cluster.Nodes)
        {
            // Every replica reads it (after its barrier), once.
            var data = await new SystemGroupMembershipTable(node, clusterId).ReadAll();
            Assert.Equal(1, data.Version.Version);
            Assert.Single(data.Members);
        }

        // An update sent by the follower, then the same write again (same id) after leadership moved elsewhere.
        var read = await table.ReadAll();
        var (row, etag) = read.TryGet(entry.SiloAddress)!;
        row.Status = Orleans.Runtime.SiloStatus.Active;
        var update = new SystemCommandProto
        {
            UpdateMembershipRow = new MembershipRowWriteProto
            {
                ClusterId = clusterId,
                WriteId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                Entry = MembershipEntryCodec.ToProto(row),
                RowEtag = etag,
                TableVersion = read.Version.Version + 1,
                TableEtag = read.Version.VersionEtag,
            },
        };
        Assert.Equal(MembershipOutcome.Applied, await follower.WriteMembershipAsync(update, CancellationToken.None));
        var afterFirst = await table.ReadAll();

        var successor = cluster.Nodes.First(n => n != leader && n != follower);
        await Eventually.WaitUntilAsync(
            () => successor.SystemGroup.AppliedIndex >= leader.SystemGroup.CommitIndex,
            "the successor to hold the whole committed system log");
        await leader.SystemGroup.TransferLeadershipAsync(successor.NodeId);
        await Eventually.WaitUntilAsync(
            () => successor.SystemGroup.Role == RaftRole.Leader && follower.SystemGroup.Leader == successor.NodeId,
            $"node {successor.NodeId} to lead the system group as the follower sees it", TimeSpan.FromSeconds(20));

        Assert.Equal(MembershipOutcome.Applied, await follower.WriteMembershipAsync(update, CancellationToken.None));
        var afterRetry = await table.ReadAll();
        Assert.Equal(afterFirst.Version, afterRetry.Version);
        Assert.Equal(afterFirst.TryGet(entry.SiloAddress)!.Item2, afterRetry.TryGet(entry.SiloAddress)!.Item2);
        Assert.Equal(2, afterRetry.Version.Version);
    }
}
