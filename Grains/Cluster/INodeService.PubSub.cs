namespace IceFire.Grains.Cluster.Messaging;

/// <summary>Publishes from other silos reach a silo's node service.</summary>
public partial interface INodeService : IPubSubCalls;

/// <summary>Publishes from other silos go to the node's subscribers.</summary>
public sealed partial class NodeService
{
    /// <remarks>
    /// Runs where the call arrives, not on the thread pool: handing messages to local subscribers only queues them on
    /// each subscriber's connection, and a hop to another thread would add its wait to every message's latency.
    /// </remarks>
    public Task DeliverAsync(PublishedMessage[] messages, CancellationToken cancellationToken) => node.DeliverPublishedAsync(messages);
}
