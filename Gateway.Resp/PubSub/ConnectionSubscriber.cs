using System.Buffers;
using System.IO.Pipelines;
using IceFire.Gateway.Resp.Protocol;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp.PubSub;

/// <summary>
/// A connection's side of pub/sub: its channels and patterns, the messages queued for it, and the
/// output gate that keeps its replies and its pushed messages whole and in Redis' order.
/// </summary>
/// <remarks>
/// Publishers call <see cref="OnMessage"/> on their own threads: the message is rendered into a queue
/// under a short lock and a drain is scheduled on the thread pool, so a publisher never waits for this
/// connection's socket. Bytes reach the output pipe only while the gate is held: by the drain, or by
/// the read loop, which holds it from the first pub/sub command of a batch until the batch's replies
/// are written. Before such a command the read loop moves the queued messages into its replies, so a
/// message published before an (UN)SUBSCRIBE is written before its reply and one published after it,
/// after. The subscription sets are touched by the read loop only.
/// </remarks>
internal sealed class ConnectionSubscriber : IPubSubSubscriber, IThreadPoolWorkItem
{
    private readonly IDuplexPipe _transport;
    private readonly RespReplyWriter _replyWriter;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queueLock = new();
    private ReplyBuffer _queue = new();
    private ReplyBuffer _sending = new();
    private bool _drainScheduled;
    private bool _closed;
    private bool _held;
    private readonly ClientLimits? _limits;
    private readonly Action? _onLimit;
    private long _overSoftSince;

    /// <summary>A subscriber writing to <paramref name="transport"/>, closed past <paramref name="limits"/>' pubsub class (Redis' 32mb 8mb 60 when null).</summary>
    public ConnectionSubscriber(IDuplexPipe transport, RespReplyWriter replyWriter, ClientLimits? limits = null, Action? onLimit = null)
    {
        _transport = transport;
        _replyWriter = replyWriter;
        _limits = limits;
        _onLimit = onLimit;
        ChannelsBySpan = Channels.GetAlternateLookup<ReadOnlySpan<byte>>();
        PatternsBySpan = Patterns.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The channels this connection subscribed to.</summary>
    public HashSet<byte[]> Channels { get; } = new(ChannelNameComparer.Instance);

    public HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> ChannelsBySpan { get; }

    /// <summary>The patterns this connection subscribed to.</summary>
    public HashSet<byte[]> Patterns { get; } = new(ChannelNameComparer.Instance);

    public HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> PatternsBySpan { get; }

    /// <summary>Channels plus patterns: the count Redis puts in (UN)SUBSCRIBE replies.</summary>
    public int Count => Channels.Count + Patterns.Count;

    /// <summary>True when the queue passed client-output-buffer-limit's pubsub class and the connection is being closed.</summary>
    public bool Overflowed { get; private set; }

    public void OnMessage(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        var resp3 = _replyWriter.Protocol == RespProtocol.Resp3;
        Enqueue(resp3 ? ">3\r\n$7\r\nmessage\r\n"u8 : "*3\r\n$7\r\nmessage\r\n"u8, default, channel, message, hasPattern: false);
    }

    public void OnPatternMessage(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        var resp3 = _replyWriter.Protocol == RespProtocol.Resp3;
        Enqueue(resp3 ? ">4\r\n$8\r\npmessage\r\n"u8 : "*4\r\n$8\r\npmessage\r\n"u8, pattern, channel, message, hasPattern: true);
    }

    /// <summary>
    /// Read loop only: takes the output gate (waiting for a drain that is writing) unless already held,
    /// then moves the queued messages into <paramref name="replies"/>, ahead of what comes next.
    /// </summary>
    public async ValueTask HoldOutputAsync(RespReplyWriter replies)
    {
        if (!_held)
        {
            await _gate.WaitAsync();
            _held = true;
        }
        MoveQueuedTo(replies);
    }

    /// <summary>Read loop only, with the gate held: moves the queued messages into <paramref name="replies"/>.</summary>
    public void MoveQueuedTo(RespReplyWriter replies)
    {
        lock (_queueLock)
        {
            if (_queue.Length > 0)
            {
                replies.WriteRaw(_queue.WrittenMemory.Span);
                _queue.Clear();
            }
        }
    }

    /// <summary>Read loop only: lets the drain write again once the batch's replies are out.</summary>
    public void ReleaseOutput()
    {
        if (_held)
        {
            _held = false;
            _gate.Release();
        }
    }

    /// <summary>
    /// Read loop only, when the connection ends: drops every subscription, discards what is queued and
    /// waits until no drain is writing, so the output can be completed.
    /// </summary>
    public async ValueTask CloseAsync(IPubSub pubSub)
    {
        foreach (var channel in Channels)
        {
            pubSub.Unsubscribe(this, channel);
        }
        foreach (var pattern in Patterns)
        {
            pubSub.UnsubscribePattern(this, pattern);
        }
        Channels.Clear();
        Patterns.Clear();
        lock (_queueLock)
        {
            _closed = true;
            _queue.Clear();
        }
        // A drain blocked on a client that stopped reading returns now instead of holding the gate.
        _transport.Output.CancelPendingFlush();
        if (!_held)
        {
            await _gate.WaitAsync();
            _held = true;
        }
        lock (_queueLock)
        {
            _queue.Dispose();
        }
        _sending.Dispose();
        ReleaseOutput();
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    private void Enqueue(ReadOnlySpan<byte> header, ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message, bool hasPattern)
    {
        var schedule = false;
        lock (_queueLock)
        {
            if (_closed)
            {
                return;
            }
            _queue.Write(header);
            if (hasPattern)
            {
                RespReplyWriter.WriteBulk(_queue, pattern);
            }
            RespReplyWriter.WriteBulk(_queue, channel);
            RespReplyWriter.WriteBulk(_queue, message);
            if (OverLimit(_queue.Length))
            {
                _onLimit?.Invoke();
                // Redis closes a subscriber that cannot keep up rather than let its backlog grow without
                // bound; the read loop sees the cancelled read, ends the connection and unsubscribes.
                _closed = true;
                Overflowed = true;
                _queue.Clear();
                _transport.Input.CancelPendingRead();
                _transport.Output.CancelPendingFlush();
                return;
            }
            if (!_drainScheduled)
            {
                _drainScheduled = true;
                schedule = true;
            }
        }
        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Past the hard limit, or over the soft limit for longer than the soft seconds (Redis' checkClientOutputBufferLimits).</summary>
    private bool OverLimit(long queued)
    {
        var limit = _limits?.PubSub ?? ClientLimits.DefaultPubSub;
        if (limit.Hard > 0 && queued > limit.Hard)
        {
            return true;
        }
        if (limit.Soft == 0 || queued <= limit.Soft)
        {
            _overSoftSince = 0;
            return false;
        }
        var now = Environment.TickCount64;
        if (_overSoftSince == 0)
        {
            _overSoftSince = now;
            return false;
        }
        return now - _overSoftSince > limit.SoftSeconds * 1000L;
    }

    private async Task DrainAsync()
    {
        await _gate.WaitAsync();
        try
        {
            while (true)
            {
                lock (_queueLock)
                {
                    if (_closed || _queue.Length == 0)
                    {
                        _drainScheduled = false;
                        return;
                    }
                    (_queue, _sending) = (_sending, _queue);
                }
                var result = await _transport.Output.WriteAsync(_sending.WrittenMemory);
                _sending.Clear();
                if (result.IsCompleted || result.IsCanceled)
                {
                    // The client is gone or the connection is closing: nothing more to write.
                    lock (_queueLock)
                    {
                        _closed = true;
                        _queue.Clear();
                    }
                    return;
                }
            }
        }
        catch (Exception)
        {
            // The socket failed under the write; the read loop will see it too and close the connection.
            lock (_queueLock)
            {
                _closed = true;
                _queue.Clear();
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
