using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Streams;

/// <summary>
/// Pub/sub within one process. Subscriber lists are copy-on-write arrays: a change takes a lock and
/// replaces the array, a publish reads the current arrays without locking and calls each subscriber
/// with no lock held, so publishers never wait for each other, for a subscription change, or for a
/// subscriber (which only queues the message, as <see cref="IPubSubSubscriber"/> requires).
/// </summary>
public sealed class LocalPubSub : IPubSub
{
    // Serialises changes; publishes and queries do not take it.
    private readonly Lock _changes = new();
    private readonly ConcurrentDictionary<byte[], IPubSubSubscriber[]> _channels = new(ChannelNameComparer.Instance);
    private readonly ConcurrentDictionary<byte[], IPubSubSubscriber[]>.AlternateLookup<ReadOnlySpan<byte>> _channelsBySpan;
    private readonly Dictionary<byte[], IPubSubSubscriber[]> _patterns = new(ChannelNameComparer.Instance);
    private readonly Dictionary<byte[], IPubSubSubscriber[]>.AlternateLookup<ReadOnlySpan<byte>> _patternsBySpan;
    // What publishes iterate: every pattern with its subscribers, rebuilt under _changes on every change.
    private volatile PatternSubscribers[] _patternSnapshot = [];

    /// <summary>Creates an empty pub/sub with no channels or patterns.</summary>
    public LocalPubSub()
    {
        _channelsBySpan = _channels.GetAlternateLookup<ReadOnlySpan<byte>>();
        _patternsBySpan = _patterns.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <inheritdoc/>
    public bool Subscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_changes)
        {
            if (!_channelsBySpan.TryGetValue(channel, out var current))
            {
                _channels[channel.ToArray()] = [subscriber];
                return true;
            }
            if (Array.IndexOf(current, subscriber) >= 0)
            {
                return false;
            }
            _channelsBySpan[channel] = [.. current, subscriber];
            return true;
        }
    }

    /// <inheritdoc/>
    public bool Unsubscribe(IPubSubSubscriber subscriber, ReadOnlySpan<byte> channel)
    {
        lock (_changes)
        {
            if (!_channelsBySpan.TryGetValue(channel, out var current) || Array.IndexOf(current, subscriber) < 0)
            {
                return false;
            }
            if (current.Length == 1)
            {
                // An empty channel is forgotten, as Redis deletes it from its channel dictionary.
                _channelsBySpan.TryRemove(channel, out _, out _);
            }
            else
            {
                _channelsBySpan[channel] = Without(current, subscriber);
            }
            return true;
        }
    }

    /// <inheritdoc/>
    public bool SubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_changes)
        {
            if (!_patternsBySpan.TryGetValue(pattern, out var current))
            {
                _patterns[pattern.ToArray()] = [subscriber];
            }
            else if (Array.IndexOf(current, subscriber) >= 0)
            {
                return false;
            }
            else
            {
                _patternsBySpan[pattern] = [.. current, subscriber];
            }
            RebuildPatternSnapshot();
            return true;
        }
    }

    /// <inheritdoc/>
    public bool UnsubscribePattern(IPubSubSubscriber subscriber, ReadOnlySpan<byte> pattern)
    {
        lock (_changes)
        {
            if (!_patternsBySpan.TryGetValue(pattern, out var current) || Array.IndexOf(current, subscriber) < 0)
            {
                return false;
            }
            if (current.Length == 1)
            {
                _patternsBySpan.Remove(pattern);
            }
            else
            {
                _patternsBySpan[pattern] = Without(current, subscriber);
            }
            RebuildPatternSnapshot();
            return true;
        }
    }

    /// <inheritdoc/>
    public ValueTask<long> PublishAsync(ReadOnlyMemory<byte> channel, ReadOnlyMemory<byte> message)
    {
        var name = channel.Span;
        var body = message.Span;
        long receivers = 0;
        // Redis' order (pubsubPublishMessage): the channel's subscribers, then each matching pattern's.
        if (_channelsBySpan.TryGetValue(name, out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.OnMessage(name, body);
                receivers++;
            }
        }
        foreach (var entry in _patternSnapshot)
        {
            if (!Glob.IsMatch(entry.Pattern, name))
            {
                continue;
            }
            foreach (var subscriber in entry.Subscribers)
            {
                subscriber.OnPatternMessage(entry.Pattern, name, body);
                receivers++;
            }
        }
        return ValueTask.FromResult(receivers);
    }

    /// <inheritdoc/>
    public IReadOnlyList<byte[]> Channels()
    {
        var list = new List<byte[]>();
        foreach (var pair in _channels)
        {
            list.Add(pair.Key);
        }
        return list;
    }

    /// <inheritdoc/>
    public IReadOnlyList<byte[]> Channels(ReadOnlySpan<byte> pattern)
    {
        var list = new List<byte[]>();
        foreach (var pair in _channels)
        {
            if (Glob.IsMatch(pattern, pair.Key))
            {
                list.Add(pair.Key);
            }
        }
        return list;
    }

    /// <inheritdoc/>
    public long NumSub(ReadOnlySpan<byte> channel) => _channelsBySpan.TryGetValue(channel, out var subscribers) ? subscribers.Length : 0;

    /// <inheritdoc/>
    public long NumPat() => _patternSnapshot.Length;

    private void RebuildPatternSnapshot()
    {
        var snapshot = new PatternSubscribers[_patterns.Count];
        var i = 0;
        foreach (var pair in _patterns)
        {
            snapshot[i++] = new PatternSubscribers(pair.Key, pair.Value);
        }
        _patternSnapshot = snapshot;
    }

    private static IPubSubSubscriber[] Without(IPubSubSubscriber[] current, IPubSubSubscriber subscriber)
    {
        var next = new IPubSubSubscriber[current.Length - 1];
        var j = 0;
        foreach (var s in current)
        {
            if (!ReferenceEquals(s, subscriber))
            {
                next[j++] = s;
            }
        }
        return next;
    }

    private sealed record PatternSubscribers(byte[] Pattern, IPubSubSubscriber[] Subscribers);
}
