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
        var failure = await Assert.ThrowsAsync<NodeCallException>(() => calls.CallAsync<IPayloadCalls, NodeCallReply>(2, (t, ct) => t.CallAsync(1, [1], ct), CancellationToken.None));
        Assert.False(failure.Sent);
        failure = await Assert.ThrowsAsync<NodeCallException>(() => NoNodeCalls.Instance.CallAsync<IPayloadCalls, NodeCallReply>(2, (t, ct) => t.CallAsync(1, [1], ct), CancellationToken.None));
        Assert.False(failure.Sent);
    }
}
