using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster;

/// <summary>
/// A tenant's publish/subscribe across the cluster: subscriptions stay on the silo the subscriber is connected to,
/// and a publish is delivered here and relayed to every other member (<see cref="PublishRelay"/>), which delivers it
/// to its own subscribers. As in Redis Cluster, PUBLISH answers the number of receivers on this silo and does not
/// wait for the others, and the queries report this silo's subscriptions.
/// </summary>
internal sealed class ClusterPubSub(ClusterNode node, string tenant, IPubSub local) : IPubSub
{
    /// <summary>This silo's subscriptions.</summary>
    public IPubSub Local => local;

    public bool Subscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel) => local.Subscribe(subscriber, channel);

    public bool Unsubscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel) => local.Unsubscribe(subscriber, channel);

    public bool SubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern) => local.SubscribePattern(subscriber, pattern);

    public bool UnsubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern) => local.UnsubscribePattern(subscriber, pattern);

    public ValueTask<long> PublishAsync(ReadOnlyMemory<byte> channel, ReadOnlyMemory<byte> message)
    {
        var members = node.Members();
        if (members.Count > 1)
        {
            // Copied: the relay sends them after this call returns and the connection reuses its buffers.
            node.Publishes.Publish(members, new PublishedMessage(tenant, channel.ToArray(), message.ToArray()));
        }
        return local.PublishAsync(channel, message);
    }

    public IReadOnlyList<byte[]> Channels() => local.Channels();

    public IReadOnlyList<byte[]> Channels(ReadOnlySpan<byte> pattern) => local.Channels(pattern);

    public long NumSub(ReadOnlySpan<byte> channel) => local.NumSub(channel);

    public long NumPat() => local.NumPat();
}
