using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>
/// The connection's side of BLPOP and the other blocking commands, CLIENT UNBLOCK, and the blocked-client
/// figures of INFO and CLIENT LIST. The tenant decides whether a command waits; while it does, the
/// connection reads nothing further (a pipeline behind it runs once it is answered, as in Redis).
/// </summary>
internal sealed partial class RespConnection
{
    // Made with the first blocking command: cancelled when the client leaves or the server stops, which
    // ends a wait in the tenant.
    private CancellationTokenSource? _blockingCancellation;

    /// <summary>True while this connection's blocking command waits for a key.</summary>
    public bool IsBlocked => _batch.IsBlocked;

    /// <summary>
    /// Sends a blocking command to the tenant on its own, as the last command of its batch, so that a wait
    /// holds back only what follows it; the replies before it go to the client first.
    /// </summary>
    private async ValueTask DispatchBlockingAsync(CommandInfo info)
    {
        await FlushBatchAsync();
        if (_closeAfterReply)
        {
            return;
        }
        if (_replies.Length > 0)
        {
            await WriteRepliesBeforeWaitAsync();
        }
        if (_blockingCancellation is null)
        {
            _blockingCancellation = CancellationTokenSource.CreateLinkedTokenSource(_context.ConnectionClosed, _server.Stopping);
            _batch.Cancellation = _blockingCancellation.Token;
        }
        _batch.Add(info, Db, _args.AsSpan());
        await FlushBatchAsync();
        if (_blockingCancellation.IsCancellationRequested)
        {
            // The client left, or the server stops: what it pipelined after the wait is not run.
            _closeAfterReply = true;
        }
    }

    private async ValueTask WriteRepliesBeforeWaitAsync()
    {
        if (!await WriteRepliesAsync(_context.Transport.Output))
        {
            _closeAfterReply = true;
        }
    }

    private bool IsClientUnblock() => _args.Count >= 2 && Ascii.EqualsIgnoreCase(_args[1], "UNBLOCK"u8);

    /// <summary>CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: 1 when that client was blocked and now is not.</summary>
    private async ValueTask ClientUnblockAsync(CommandInfo info)
    {
        var sub = ResolveSubcommand(info);
        if (sub is null)
        {
            return;
        }
        if (_args.Count > 4)
        {
            _writer.WriteRaw("-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n"u8);
            return;
        }
        var reason = UnblockReason.Timeout;
        if (_args.Count == 4)
        {
            if (Ascii.EqualsIgnoreCase(_args[3], "ERROR"u8))
            {
                reason = UnblockReason.Error;
            }
            else if (!Ascii.EqualsIgnoreCase(_args[3], "TIMEOUT"u8))
            {
                _writer.WriteRaw("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"u8);
                return;
            }
        }
        if (!TryParseInt(_args[2], out var id))
        {
            _writer.WriteRaw(Errors.NotInteger);
            return;
        }
        var unblocked = _server.Clients.TryGetValue(id, out var target) && target.IsBlocked &&
            await target._tenant.UnblockAsync(target._batch, reason);
        _writer.WriteInteger(unblocked ? 1 : 0);
    }

    /// <summary>INFO's blocked_clients: connections whose blocking command waits.</summary>
    private int BlockedClientCount()
    {
        var count = 0;
        foreach (var client in _server.Clients.Values)
        {
            if (client.IsBlocked)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>CLIENT LIST's flags: P subscribed, b blocked, N neither.</summary>
    private static string ClientFlags(RespConnection c) =>
        (c.SubscriptionCount > 0, c.IsBlocked) switch
        {
            (true, true) => "Pb",
            (true, false) => "P",
            (false, true) => "b",
            _ => "N",
        };
}
