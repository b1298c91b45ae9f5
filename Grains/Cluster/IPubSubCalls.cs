using IceFire.Grains.Cluster.Messaging;

namespace IceFire.Grains.Cluster;

/// <summary>Publishes of another silo (<see cref="PublishRelay"/>) delivered to the subscribers connected to this one.</summary>
[Alias("IceFire.IPubSubCalls")]
public interface IPubSubCalls : INodeCallTarget
{
    /// <summary>
    /// Delivers <paramref name="messages"/>, in order, to this silo's subscribers of each message's tenant. A silo sends
    /// its next batch only after this one is answered, so its messages are delivered in the order they were published.
    /// </summary>
    [Alias("Deliver")]
    Task DeliverAsync(PublishedMessage[] messages, CancellationToken cancellationToken);
}

/// <summary>One PUBLISH on its way to another silo's subscribers.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.PublishedMessage")]
public sealed record PublishedMessage([property: Id(0)] string Tenant, [property: Id(1)] byte[] Channel, [property: Id(2)] byte[] Message);
