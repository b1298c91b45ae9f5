namespace IceFire.Grains.Cluster.Messaging;

/// <summary>Publishes from other silos reach a silo's node service.</summary>
public partial interface INodeService : IPubSubCalls;

/// <summary>Publishes from other silos go to the node's subscribers.</summary>
public sealed partial class NodeService
{
    public Task DeliverAsync(PublishedMessage[] messages, CancellationToken cancellationToken) =>
        Serve(() => node.DeliverPublishedAsync(messages), cancellationToken);
}
