using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Streams;
using Xunit;

namespace IceFire.Gateway.Resp.Tests.PubSub;

public sealed class LocalPubSubTests
{
    private readonly LocalPubSub _pubSub = new();

    [Fact]
    public async Task PublishReachesChannelSubscribersThenMatchingPatternsAndCountsEachDelivery()
    {
        var a = new RecordingSubscriber();
        var b = new RecordingSubscriber();
        Assert.True(_pubSub.Subscribe(a, "news"u8));
        Assert.False(_pubSub.Subscribe(a, "news"u8));
        Assert.True(_pubSub.Subscribe(b, "news"u8));
        Assert.True(_pubSub.SubscribePattern(a, "n*"u8));
        Assert.True(_pubSub.SubscribePattern(a, "ne?s"u8));
        Assert.False(_pubSub.SubscribePattern(a, "n*"u8));

        Assert.Equal(4, await Publish("news", "hi"));
        Assert.Equal(["message news hi", "pmessage n* news hi", "pmessage ne?s news hi"], a.Received);
        Assert.Equal(["message news hi"], b.Received);
        Assert.Equal(1, await Publish("nope", "x"));
        Assert.Equal(0, await Publish("other", "x"));
    }

    [Fact]
    public async Task UnsubscribeStopsDeliveryAndForgetsEmptyChannelsAndPatterns()
    {
        var a = new RecordingSubscriber();
        _pubSub.Subscribe(a, "c"u8);
        _pubSub.SubscribePattern(a, "c*"u8);
        Assert.True(_pubSub.Unsubscribe(a, "c"u8));
        Assert.False(_pubSub.Unsubscribe(a, "c"u8));
        Assert.True(_pubSub.UnsubscribePattern(a, "c*"u8));
        Assert.False(_pubSub.UnsubscribePattern(a, "c*"u8));
        Assert.Equal(0, await Publish("c", "x"));
        Assert.Empty(a.Received);
        Assert.Empty(_pubSub.Channels());
        Assert.Equal(0, _pubSub.NumPat());
        Assert.Equal(0, _pubSub.NumSub("c"u8));
    }

    [Fact]
    public void QueriesCountSubscribersChannelsAndDistinctPatterns()
    {
        var a = new RecordingSubscriber();
        var b = new RecordingSubscriber();
        _pubSub.Subscribe(a, "red"u8);
        _pubSub.Subscribe(b, "red"u8);
        _pubSub.Subscribe(a, "green"u8);
        _pubSub.Subscribe(a, ""u8);
        _pubSub.SubscribePattern(a, "r*"u8);
        _pubSub.SubscribePattern(b, "r*"u8);
        _pubSub.SubscribePattern(b, "g*"u8);

        Assert.Equal(2, _pubSub.NumSub("red"u8));
        Assert.Equal(1, _pubSub.NumSub(""u8));
        Assert.Equal(0, _pubSub.NumSub("blue"u8));
        Assert.Equal(2, _pubSub.NumPat());
        Assert.Equal(["", "green", "red"], Names(_pubSub.Channels()));
        Assert.Equal(["red"], Names(_pubSub.Channels("r?d"u8)));
        Assert.Equal([""], Names(_pubSub.Channels(""u8)));
    }

    [Fact]
    public async Task ConcurrentPublishesAndSubscriptionChangesNeitherLoseNorDuplicateStableSubscribers()
    {
        var stable = new CountingSubscriber();
        _pubSub.Subscribe(stable, "hot"u8);
        var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            var others = Enumerable.Range(0, 8).Select(_ => new CountingSubscriber()).ToArray();
            while (!stop.IsCancellationRequested)
            {
                foreach (var o in others)
                {
                    _pubSub.Subscribe(o, "hot"u8);
                    _pubSub.SubscribePattern(o, "h*"u8);
                }
                foreach (var o in others)
                {
                    _pubSub.Unsubscribe(o, "hot"u8);
                    _pubSub.UnsubscribePattern(o, "h*"u8);
                }
            }
        });
        const int publishers = 4;
        const int each = 20_000;
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(_ => Task.Run(async () =>
        {
            var channel = Encoding.ASCII.GetBytes("hot");
            for (var i = 0; i < each; i++)
            {
                Assert.True(await _pubSub.PublishAsync(channel, channel) >= 1);
            }
        })));
        stop.Cancel();
        await churn;
        Assert.Equal(publishers * each, stable.Count);
        Assert.Equal(1, _pubSub.NumSub("hot"u8));
        Assert.Equal(0, _pubSub.NumPat());
    }

    private ValueTask<long> Publish(string channel, string message) =>
        _pubSub.PublishAsync(Encoding.UTF8.GetBytes(channel), Encoding.UTF8.GetBytes(message));

    private static List<string> Names(IReadOnlyList<byte[]> names) =>
        names.Select(n => Encoding.UTF8.GetString(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();

    private sealed class RecordingSubscriber : IPubSubSubscriber
    {
        public List<string> Received { get; } = [];

        public void OnMessage(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) =>
            Received.Add($"message {Encoding.UTF8.GetString(channel)} {Encoding.UTF8.GetString(message)}");

        public void OnPatternMessage(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) =>
            Received.Add($"pmessage {Encoding.UTF8.GetString(pattern)} {Encoding.UTF8.GetString(channel)} {Encoding.UTF8.GetString(message)}");
    }

    private sealed class CountingSubscriber : IPubSubSubscriber
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnMessage(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) => Interlocked.Increment(ref _count);

        public void OnPatternMessage(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message) =>
            Interlocked.Increment(ref _count);
    }
}
