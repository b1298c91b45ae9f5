using System.Collections.Concurrent;
using System.Threading.Channels;
using IceFire.Grains.Cluster.Messaging;
using Microsoft.Extensions.Logging;

namespace IceFire.Grains.Cluster;

/// <summary>
/// Carries this silo's publishes to the other silos' subscribers: one queue and one sender per silo, which sends what
/// queued while its previous batch was on its way as the next batch and waits for it to be delivered before the
/// next. A publisher's messages therefore reach every subscriber in the order they were published, and the publisher
/// never waits for another silo. A silo that cannot be reached, or does not take a batch within
/// <see cref="DeliveryTimeout"/>, misses those messages (Redis keeps none either); a queue holding
/// <see cref="MaxQueued"/> messages for a silo that stalls drops new ones for it. Thread-safe.
/// </summary>
internal sealed class PublishRelay(ulong self, INodeCalls calls, ILogger logger) : IAsyncDisposable
{
    private readonly ulong _self = self;
    private readonly INodeCalls _calls = calls;
    private readonly ILogger _logger = logger;

    /// <summary>How many messages may wait for one silo before new ones for it are dropped.</summary>
    public const int MaxQueued = 65_536;

    /// <summary>The most messages in one batch, and about the most bytes.</summary>
    private const int MaxBatch = 1_024;
    private const int MaxBatchBytes = 1 << 20;

    /// <summary>How long a silo may take to deliver a batch before it is given up.</summary>
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<ulong, Outbox> _outboxes = new();
    private readonly CancellationTokenSource _stop = new();
    private long _dropped;

    /// <summary>Messages dropped because their silo could not be reached in time or its queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="message"/> for every silo in <paramref name="members"/> but this one.</summary>
    public void Publish(IReadOnlyList<ulong> members, PublishedMessage message)
    {
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] == _self)
            {
                continue;
            }
            var outbox = _outboxes.GetOrAdd(members[i], static (node, relay) => new Outbox(relay, node), this);
            if (!outbox.Queue.Writer.TryWrite(message))
            {
                outbox.Drop(1);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var outbox in _outboxes.Values)
        {
            outbox.Queue.Writer.TryComplete();
            await outbox.Sending.ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    /// <summary>The queue and sender of one silo.</summary>
    private sealed class Outbox
    {
        private readonly PublishRelay _relay;
        private readonly ulong _node;
        private long _droppedSinceReport;

        public Outbox(PublishRelay relay, ulong node)
        {
            _relay = relay;
            _node = node;
            Queue = Channel.CreateBounded<PublishedMessage>(new BoundedChannelOptions(MaxQueued)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
            });
            Sending = Task.Run(SendAsync);
        }

        public Channel<PublishedMessage> Queue { get; }

        public Task Sending { get; }

        public void Drop(int count)
        {
            Interlocked.Add(ref _relay._dropped, count);
            // Said once per run of drops, not per message.
            if (Interlocked.Add(ref _droppedSinceReport, count) == count)
            {
                ClusterNodeLog.PublishesDropped(_relay._logger, _relay._self, _node);
            }
        }

        private async Task SendAsync()
        {
            var reader = Queue.Reader;
            var batch = new List<PublishedMessage>(MaxBatch);
            var stop = _relay._stop.Token;
            try
            {
                while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
                {
                    batch.Clear();
                    var bytes = 0;
                    while (batch.Count < MaxBatch && bytes < MaxBatchBytes && reader.TryRead(out var message))
                    {
                        batch.Add(message);
                        bytes += message.Channel.Length + message.Message.Length;
                    }
                    var messages = batch.ToArray();
                    try
                    {
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                        timeout.CancelAfter(DeliveryTimeout);
                        await _relay._calls.CallAsync<IPubSubCalls, bool>(_node, async (target, ct) =>
                        {
                            await target.DeliverAsync(messages, ct).ConfigureAwait(false);
                            return true;
                        }, timeout.Token).ConfigureAwait(false);
                        Interlocked.Exchange(ref _droppedSinceReport, 0);
                    }
                    catch (Exception e) when (e is NodeCallException || (e is OperationCanceledException && !stop.IsCancellationRequested))
                    {
                        Drop(messages.Length);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }
}
