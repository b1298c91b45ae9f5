using System.Text;
using IceFire.Gateway.Resp.PubSub;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>SUBSCRIBE PSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, and RESP2's subscribed mode.</summary>
internal sealed partial class RespConnection
{
    // Created by the first (P)SUBSCRIBE and kept for the connection's life: from then on pushed messages
    // may race the read loop's replies, so every write goes through its gate. Connections that never
    // subscribe write without one.
    private ConnectionSubscriber? _subscriber;

    /// <summary>Channels plus patterns this connection is subscribed to.</summary>
    public int SubscriptionCount => _subscriber?.Count ?? 0;

    /// <summary>Channels this connection is subscribed to (CLIENT LIST sub=).</summary>
    public int ChannelCount => _subscriber?.Channels.Count ?? 0;

    /// <summary>Patterns this connection is subscribed to (CLIENT LIST psub=).</summary>
    public int PatternCount => _subscriber?.Patterns.Count ?? 0;

    private async ValueTask SubscribeAsync(bool patterns)
    {
        _subscriber ??= new ConnectionSubscriber(_context.Transport, _writer, _server.Limits, _server.CountOutputLimitDisconnection);
        var subscriber = _subscriber;
        // Queued messages go out before these replies; messages on the new subscriptions after them.
        await subscriber.HoldOutputAsync(_writer);
        var pubSub = _pubSub;
        for (var i = 1; i < _args.Count; i++)
        {
            var name = _args[i];
            if (patterns)
            {
                if (!subscriber.PatternsBySpan.Contains(name))
                {
                    subscriber.Patterns.Add(name.ToArray());
                    pubSub.SubscribePattern(subscriber, name);
                }
                WriteSubscriptionReply(">3\r\n$10\r\npsubscribe\r\n"u8, "*3\r\n$10\r\npsubscribe\r\n"u8, name, subscriber.Count);
            }
            else
            {
                if (!subscriber.ChannelsBySpan.Contains(name))
                {
                    subscriber.Channels.Add(name.ToArray());
                    pubSub.Subscribe(subscriber, name);
                }
                WriteSubscriptionReply(">3\r\n$9\r\nsubscribe\r\n"u8, "*3\r\n$9\r\nsubscribe\r\n"u8, name, subscriber.Count);
            }
        }
    }

    private async ValueTask UnsubscribeAsync(bool patterns)
    {
        if (_subscriber is not null)
        {
            // Messages queued before the unsubscribe go out before its reply, none after it.
            await _subscriber.HoldOutputAsync(_writer);
        }
        Unsubscribe(patterns);
    }

    private void Unsubscribe(bool patterns)
    {
        var resp3Header = patterns ? ">3\r\n$12\r\npunsubscribe\r\n"u8 : ">3\r\n$11\r\nunsubscribe\r\n"u8;
        var resp2Header = patterns ? "*3\r\n$12\r\npunsubscribe\r\n"u8 : "*3\r\n$11\r\nunsubscribe\r\n"u8;
        var subscriber = _subscriber;
        var set = subscriber is null ? null : patterns ? subscriber.Patterns : subscriber.Channels;
        if (_args.Count == 1)
        {
            if (set is null || set.Count == 0)
            {
                // Redis answers an unsubscribe-from-all with nothing to drop with one reply and a null name.
                WriteHeader(resp3Header, resp2Header);
                _writer.WriteNull();
                _writer.WriteInteger(SubscriptionCount);
                return;
            }
            foreach (var name in set.ToArray())
            {
                Drop(subscriber!, name, patterns);
                WriteSubscriptionReply(resp3Header, resp2Header, name, subscriber!.Count);
            }
            return;
        }
        for (var i = 1; i < _args.Count; i++)
        {
            var name = _args[i];
            if (subscriber is not null && (patterns ? subscriber.PatternsBySpan.Contains(name) : subscriber.ChannelsBySpan.Contains(name)))
            {
                Drop(subscriber, name, patterns);
            }
            WriteSubscriptionReply(resp3Header, resp2Header, name, SubscriptionCount);
        }
    }

    private void Drop(ConnectionSubscriber subscriber, ReadOnlySpan<byte> name, bool pattern)
    {
        if (pattern)
        {
            subscriber.PatternsBySpan.Remove(name);
            _pubSub.UnsubscribePattern(subscriber, name);
        }
        else
        {
            subscriber.ChannelsBySpan.Remove(name);
            _pubSub.Unsubscribe(subscriber, name);
        }
    }

    /// <summary>RESET: drops every subscription without a reply per channel, as Redis' resetCommand does.</summary>
    private async ValueTask ResetSubscriptionsAsync()
    {
        var subscriber = _subscriber;
        if (subscriber is null || subscriber.Count == 0)
        {
            return;
        }
        await subscriber.HoldOutputAsync(_writer);
        foreach (var name in subscriber.Channels.ToArray())
        {
            Drop(subscriber, name, pattern: false);
        }
        foreach (var name in subscriber.Patterns.ToArray())
        {
            Drop(subscriber, name, pattern: true);
        }
    }

    private async ValueTask PublishAsync()
    {
        var subscriber = _subscriber;
        if (subscriber is not null)
        {
            await subscriber.HoldOutputAsync(_writer);
        }
        var receivers = await _pubSub.PublishAsync(_args.Memory(1), _args.Memory(2));
        // A connection subscribed to its own channel gets the message before PUBLISH's reply, as in Redis.
        subscriber?.MoveQueuedTo(_writer);
        _writer.WriteInteger(receivers);
    }

    private void PubSub(CommandInfo info)
    {
        var sub = ResolveSubcommand(info);
        if (sub is null)
        {
            return;
        }
        var pubSub = _pubSub;
        switch (sub.Name)
        {
            case "pubsub|channels":
            case "pubsub|shardchannels":
            {
                if (_args.Count > 3)
                {
                    _writer.WriteError(Encoding.UTF8.GetBytes(
                        $"ERR unknown subcommand or wrong number of arguments for '{Truncate(_args[1], 128)}'. Try PUBSUB HELP."));
                    return;
                }
                // Shard channels (SSUBSCRIBE) are not served, so there are never any.
                IReadOnlyList<byte[]> channels = sub.Name == "pubsub|shardchannels" ? []
                    : _args.Count == 3 ? pubSub.Channels(_args[2]) : pubSub.Channels();
                _writer.WriteArrayHeader(channels.Count);
                foreach (var channel in channels)
                {
                    _writer.WriteBulk(channel);
                }
                break;
            }
            case "pubsub|numsub":
            case "pubsub|shardnumsub":
            {
                var shard = sub.Name == "pubsub|shardnumsub";
                _writer.WriteArrayHeader((_args.Count - 2) * 2);
                for (var i = 2; i < _args.Count; i++)
                {
                    _writer.WriteBulk(_args[i]);
                    _writer.WriteInteger(shard ? 0 : pubSub.NumSub(_args[i]));
                }
                break;
            }
            case "pubsub|numpat":
                _writer.WriteInteger(pubSub.NumPat());
                break;
            case "pubsub|help":
                _writer.WriteRaw(PubSubHelp);
                break;
        }
    }

    /// <summary>
    /// RESP2 only: a subscribed connection may run (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT and RESET.
    /// True, with Redis' error written, when <paramref name="info"/> is something else.
    /// </summary>
    private bool RejectInSubscribedMode(CommandInfo info)
    {
        if (_writer.Protocol != RespProtocol.Resp2 || SubscriptionCount == 0)
        {
            return false;
        }
        switch (info.Id)
        {
            case CommandId.Subscribe or CommandId.PSubscribe or CommandId.Unsubscribe or CommandId.PUnsubscribe
                or CommandId.Ping or CommandId.Quit or CommandId.Reset:
                return false;
        }
        var name = info.Name;
        if (info.Subcommands.Count > 0 && _args.Count > 1)
        {
            // Redis reports an unknown subcommand or its wrong arity before the subscribed-mode rule;
            // the container's handler writes those errors.
            var sub = CommandTable.FindSubcommand(info, _args[1]);
            if (sub is null || !sub.AcceptsArgumentCount(_args.Count))
            {
                return false;
            }
            name = sub.Name;
        }
        _writer.WriteError(Encoding.UTF8.GetBytes(
            $"ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"));
        return true;
    }

    /// <summary>RESP2 subscribed mode answers PING as a two-element array, as Redis does; true when it did.</summary>
    private bool PingInSubscribedMode()
    {
        if (_writer.Protocol != RespProtocol.Resp2 || SubscriptionCount == 0 || _args.Count > 2)
        {
            // PING with too many arguments gets its arity error from Ping(), subscribed or not.
            return false;
        }
        _writer.WriteRaw("*2\r\n$4\r\npong\r\n"u8);
        _writer.WriteBulk(_args.Count == 2 ? _args[1] : default);
        return true;
    }

    /// <summary>Writes the replies collected in this batch, with any queued messages, under the output gate.</summary>
    private async ValueTask<bool> WriteRepliesWithPushesAsync(System.IO.Pipelines.PipeWriter output)
    {
        var subscriber = _subscriber!;
        await subscriber.HoldOutputAsync(_writer);
        try
        {
            return _replies.Length == 0 || await SendRepliesAsync(output, _server.Limits.PubSub);
        }
        finally
        {
            subscriber.ReleaseOutput();
        }
    }

    private void WriteSubscriptionReply(ReadOnlySpan<byte> resp3Header, ReadOnlySpan<byte> resp2Header, ReadOnlySpan<byte> name, int count)
    {
        WriteHeader(resp3Header, resp2Header);
        _writer.WriteBulk(name);
        _writer.WriteInteger(count);
    }

    private void WriteHeader(ReadOnlySpan<byte> resp3Header, ReadOnlySpan<byte> resp2Header) =>
        _writer.WriteRaw(_writer.Protocol == RespProtocol.Resp3 ? resp3Header : resp2Header);

    // PUBSUB HELP in Redis 7.0, line for line.
    private static ReadOnlySpan<byte> PubSubHelp =>
        "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n+    Return the currently active channels matching a <pattern> (default: '*').\r\n+NUMPAT\r\n+    Return number of subscriptions to patterns.\r\n+NUMSUB [<channel> ...]\r\n+    Return the number of subscribers for the specified channels, excluding\r\n+    pattern subscriptions(default: no channels).\r\n+SHARDCHANNELS [<pattern>]\r\n+    Return the currently active shard level channels matching a <pattern> (default: '*').\r\n+SHARDNUMSUB [<shardchannel> ...]\r\n+    Return the number of subscribers for the specified shard level channel(s)\r\n+HELP\r\n+    Prints this help.\r\n"u8;
}
