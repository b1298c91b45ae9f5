using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster;

/// <summary>
/// A tenant's publish/subscribe across the cluster: subscriptions stay on the silo the subscriber is connected to,
/// and a publish is delivered here and sent to every other member, which delivers it to its own subscribers.
/// PUBLISH then answers the number of deliveries on every silo that answered in time, so a client behind a load
/// balancer sees the same count whichever silo it reached. The queries report this silo's subscriptions, as PUBSUB
/// does per node in Redis Cluster.
/// </summary>
internal sealed class ClusterPubSub(ClusterNode node, string tenant, IPubSub local) : IPubSub
{
    /// <summary>This silo's subscriptions.</summary>
    public IPubSub Local => local;

    public bool Subscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel) => local.Subscribe(subscriber, channel);

    public bool Unsubscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel) => local.Unsubscribe(subscriber, channel);

    public bool SubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern) => local.SubscribePattern(subscriber, pattern);

    public bool UnsubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern) => local.UnsubscribePattern(subscriber, pattern);

    public async ValueTask<long> PublishAsync(ReadOnlyMemory<byte> channel, ReadOnlyMemory<byte> message)
    {
        var others = node.OtherMembers();
        if (others.Count == 0)
        {
            return await local.PublishAsync(channel, message).ConfigureAwait(false);
        }
        // Copied once for every silo: Orleans serializes a call when its connection sends it, which may be after a
        // publish that gave up on a slow silo has answered and its connection reused the buffers.
        var channelBytes = channel.ToArray();
        var messageBytes = message.ToArray();
        var remote = new Task<long>[others.Count];
        for (var i = 0; i < others.Count; i++)
        {
            remote[i] = node.PublishRemoteAsync(others[i], tenant, channelBytes, messageBytes);
        }
        var count = await local.PublishAsync(channel, message).ConfigureAwait(false);
        foreach (var delivered in remote)
        {
            count += await delivered.ConfigureAwait(false);
        }
        return count;
    }

    public IReadOnlyList<byte[]> Channels() => local.Channels();

    public IReadOnlyList<byte[]> Channels(ReadOnlySpan<byte> pattern) => local.Channels(pattern);

    public long NumSub(ReadOnlySpan<byte> channel) => local.NumSub(channel);

    public long NumPat() => local.NumPat();
}
