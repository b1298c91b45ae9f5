using IceFire.Grains.Cluster.Messaging;

namespace IceFire.Grains.Cluster;

/// <summary>A publish (<see cref="ClusterPubSub"/>) delivered to the subscribers connected to another silo. Served concurrently.</summary>
[Alias("IceFire.IPubSubCalls")]
public interface IPubSubCalls : INodeCallTarget
{
    /// <summary>
    /// Delivers <paramref name="message"/> on <paramref name="channel"/> to this silo's subscribers of
    /// <paramref name="tenant"/>; answers how many received it (0 when the tenant has none here).
    /// </summary>
    [Alias("Publish")]
    Task<long> PublishAsync(string tenant, byte[] channel, byte[] message, CancellationToken cancellationToken);
}
