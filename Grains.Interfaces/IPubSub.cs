namespace IceFire.Grains.Interfaces;

/// <summary>
/// Receives the messages published to the channels and patterns it subscribed to through an
/// <see cref="IPubSub"/>. A RESP connection is one subscriber.
/// </summary>
/// <remarks>
/// Both methods are called on the publisher's thread, possibly by several publishers at once, and
/// after the subscriber has unsubscribed when a publish raced the unsubscribe. They must not block
/// and must not throw: a subscriber queues the message for its own writer and returns, so a slow
/// reader never slows a publisher down. The spans are valid only during the call; copy what is kept.
/// The messages of one publish reach one subscriber in Redis' order: the channel message first, then
/// one pattern message per matching pattern.
/// </remarks>
public interface IPubSubSubscriber
{
    /// <summary>A message published to <paramref name="channel"/>, which this subscriber subscribed to.</summary>
    void OnMessage(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message);

    /// <summary>A message published to <paramref name="channel"/>, which matches <paramref name="pattern"/>.</summary>
    void OnPatternMessage(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message);
}

/// <summary>
/// Publish/subscribe with Redis semantics: channels are byte strings, patterns are Redis globs
/// (<see cref="Glob"/>), a message reaches every subscriber of its channel and every subscriber of
/// every matching pattern, and nothing is stored: a message published while nobody listens is gone.
/// </summary>
/// <remarks>
/// <para>Thread safety: every member may be called concurrently from any thread.</para>
/// <para>Ownership: the implementation copies the channel and pattern names it keeps; the caller owns
/// the spans and memory it passes in. Subscribers are compared by reference.</para>
/// <para>Scope: subscriptions are held by the silo the subscriber is connected to. The in-process
/// implementation delivers on this silo only; the cluster fabric delivers a publish to subscribers on
/// every silo. The queries (<see cref="Channels()"/>, <see cref="NumSub"/>, <see cref="NumPat"/>) report
/// this silo's subscriptions, as PUBSUB does per node in Redis Cluster.</para>
/// <para>Failure: a subscriber's failure is its own; a publish never fails because of one.</para>
/// </remarks>
public interface IPubSub
{
    /// <summary>Subscribes to a channel; false when the subscriber already was. Effective when it returns.</summary>
    bool Subscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel);

    /// <summary>Unsubscribes from a channel; false when the subscriber was not subscribed.</summary>
    bool Unsubscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel);

    /// <summary>Subscribes to every channel matching a glob pattern; false when the subscriber already was.</summary>
    bool SubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern);

    /// <summary>Drops a pattern subscription; false when the subscriber had none for this pattern.</summary>
    bool UnsubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern);

    /// <summary>
    /// Delivers <paramref name="message"/> to the subscribers of <paramref name="channel"/> and of the
    /// patterns matching it; returns how many deliveries were made (Redis' PUBLISH reply: a subscriber
    /// of the channel and of two matching patterns counts three times). The memory must stay valid until
    /// the returned task completes; subscribers have queued the message by then.
    /// </summary>
    ValueTask<long> PublishAsync(ReadOnlyMemory<byte> channel, ReadOnlyMemory<byte> message);

    /// <summary>The channels with at least one subscriber, in no defined order. The list is new; its arrays are shared and must not be modified.</summary>
    IReadOnlyList<byte[]> Channels();

    /// <summary>The channels with at least one subscriber whose names match a glob pattern, as <see cref="Channels()"/> returns them.</summary>
    IReadOnlyList<byte[]> Channels(ReadOnlySpan<byte> pattern);

    /// <summary>How many subscribers a channel has (pattern subscriptions not counted).</summary>
    long NumSub(ReadOnlySpan<byte> channel);

    /// <summary>How many distinct patterns have at least one subscriber, as Redis 7 counts them.</summary>
    long NumPat();
}
