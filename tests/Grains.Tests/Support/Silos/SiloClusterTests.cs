using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Xunit;

namespace IceFire.Grains.Tests.Support.Silos;

/// <summary>What the in-process cluster promises its tests: real silos, each with its own node, ports and data, over TCP.</summary>
[Collection(ThreeSilos.Collection)]
public sealed class SiloClusterTests(ThreeSilos silos)
{
    [Fact]
    public async Task Each_silo_has_its_own_node_ports_and_data_and_the_silos_talk_over_tcp()
    {
        var all = silos.Cluster.Silos;
        Assert.Equal([1UL, 2UL, 3UL], all.Select(s => s.NodeId));
        Assert.Equal(3, all.Select(s => s.ClusterAddress).Distinct().Count());
        Assert.Equal(3, all.Select(s => s.SiloAddress.Endpoint.Port).Distinct().Count());
        Assert.Equal(3, all.Select(s => s.Node.State.Members.Count).Distinct().Single());
        foreach (var silo in all)
        {
            // Orleans' membership is the system group's table: every silo active in it, under the node's cluster id.
            var membership = silo.ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
            Assert.Equal(3, membership.Members.Values.Count(m => m.Status == SiloStatus.Active));
            Assert.Equal(silo.Node.ClusterId, silo.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value.ClusterId);
            // Messaging is a TCP listener, not the test cluster's in-memory transport.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(silo.SiloAddress.Endpoint);
        }
        Assert.Single(all.Select(s => s.Node.ClusterId).Distinct());

        // Node 3 asks every node for its replicas: the calls to nodes 1 and 2 go to their node services through Orleans.
        var statuses = await all[2].Node.GetReplicaStatusAsync(CancellationToken.None);
        Assert.Equal([1UL, 2UL, 3UL], statuses.Keys.Order());
        Assert.All(statuses.Values, Assert.NotNull);
    }
}
