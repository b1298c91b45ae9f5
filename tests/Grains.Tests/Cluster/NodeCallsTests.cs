using IceFire.Grains.Tests.Support;
using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Messaging;
using Xunit;

namespace IceFire.Grains.Tests.Cluster;

/// <summary>The parts of the calls between silos that need no running Orleans cluster (Silo.Tests run the rest).</summary>
public sealed class NodeCallsTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(42UL)]
    [InlineData(ulong.MaxValue)]
    public void A_node_id_and_its_silo_name_map_both_ways(ulong node)
    {
        Assert.Equal(node, NodeNames.NodeId(NodeNames.SiloName(node)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("icefire-0")]
    [InlineData("node-")]
    [InlineData("node-x")]
    [InlineData("node--1")]
    [InlineData("node-18446744073709551616")]
    public void A_silo_name_that_names_no_node_maps_to_zero(string? name)
    {
        Assert.Equal(0UL, NodeNames.NodeId(name));
    }

    [Fact]
    public async Task Calls_before_the_messaging_starts_fail_as_never_sent()
    {
        var calls = new OrleansNodeCalls();
        var failure = await Assert.ThrowsAsync<NodeCallException>(() => calls.CallAsync<IClusterCalls, IceFire.Grains.Cluster.Wire.ReplicaStatusListProto>(2, (t, _) => t.GetLocalReplicaStatusAsync(), CancellationToken.None));
        Assert.False(failure.Sent);
        failure = await Assert.ThrowsAsync<NodeCallException>(() => NoNodeCalls.Instance.CallAsync<IClusterCalls, IceFire.Grains.Cluster.Wire.ReplicaStatusListProto>(2, (t, _) => t.GetLocalReplicaStatusAsync(), CancellationToken.None));
        Assert.False(failure.Sent);
    }
}

/// <summary>The arguments of calls between silos survive Orleans' serializer as a silo would send them.</summary>
public sealed class NodeCallSerializationTests
{
    [Fact]
    public void Cluster_protobuf_messages_round_trip_through_their_own_encoding()
    {
        var change = new IceFire.Grains.Cluster.Wire.TenantChangeRequestProto
        {
            Settings = new IceFire.Grains.Cluster.Wire.TenantSettingsProto { Name = "alpha" },
        };
        var status = new IceFire.Grains.Cluster.Wire.ReplicaStatusListProto { Node = 7 };
        status.Replicas.Add(new IceFire.Grains.Cluster.Wire.ReplicaStatusProto { Tenant = "alpha", GroupId = 3, Role = -1, Voters = { 1, 2, 7 } });

        Assert.Equal(change, CallSerialization.RoundTrip(change));
        Assert.Equal(status, CallSerialization.RoundTrip(status));
        var answer = new IceFire.Grains.Cluster.Wire.TenantChangeResponseProto { Status = -1, Message = "no leader", Leader = 2 };
        Assert.Equal(answer, CallSerialization.RoundTrip(answer));
    }
}
