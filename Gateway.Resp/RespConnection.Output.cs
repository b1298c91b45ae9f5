using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace IceFire.Gateway.Resp;

/// <summary>
/// Sending replies under client-output-buffer-limit. The read loop sends what one turn produced and waits for the
/// socket to take it before it parses more, so a client's pending output is at most one turn's replies; a client
/// whose pending output passes its class's hard limit, or stays over the soft limit for the soft seconds, is
/// closed as Redis closes it, and counted.
/// </summary>
internal sealed partial class RespConnection
{
    private long _pendingOutput;

    /// <summary>Replies built or handed to the socket but not yet taken by it (CLIENT LIST omem).</summary>
    public long PendingOutput => Volatile.Read(ref _pendingOutput) + _replies.Length;

    /// <summary>Bytes of an unfinished request held for this client (CLIENT LIST qbuf).</summary>
    public int QueryBufferLength => _partial.Length;

    /// <summary>Sends the replies built so far; false when the connection is to close (limit passed, client gone).</summary>
    private async ValueTask<bool> WriteRepliesAsync(PipeWriter output)
    {
        if (_subscriber is not null)
        {
            return await WriteRepliesWithPushesAsync(output);
        }
        return _replies.Length == 0 || await SendRepliesAsync(output, _server.Limits.Normal);
    }

    /// <summary>Writes <see cref="_replies"/> to <paramref name="output"/> and waits until the socket has taken most of it.</summary>
    private async ValueTask<bool> SendRepliesAsync(PipeWriter output, OutputLimit limit)
    {
        var size = _replies.Length;
        if (limit.Hard > 0 && size > limit.Hard)
        {
            _replies.Clear();
            CloseForOutputLimit();
            return false;
        }
        output.Write(_replies.WrittenMemory.Span);
        var capacity = _replies.Capacity;
        _replies.Clear();
        if (_replies.Capacity < capacity)
        {
            ReportReleased(capacity);
        }
        Volatile.Write(ref _pendingOutput, size);
        try
        {
            var flush = output.FlushAsync();
            FlushResult result;
            if (!flush.IsCompleted && limit.Soft > 0 && size > limit.Soft)
            {
                // Over the soft limit: the client has the soft seconds to take it (Redis' obuf_soft_limit_reached_time).
                var waiting = flush.AsTask();
                try
                {
                    result = await waiting.WaitAsync(TimeSpan.FromSeconds(limit.SoftSeconds));
                }
                catch (TimeoutException)
                {
                    CloseForOutputLimit();
                    output.CancelPendingFlush();
                    try
                    {
                        await waiting;
                    }
                    catch (Exception)
                    {
                        // The aborted socket failed the write; the connection is closing either way.
                    }
                    return false;
                }
            }
            else
            {
                result = await flush;
            }
            return !result.IsCompleted && !result.IsCanceled;
        }
        finally
        {
            Volatile.Write(ref _pendingOutput, 0);
        }
    }

    /// <summary>Tells the reclaimer about a large buffer just dropped.</summary>
    private void ReportReleased(long bytes)
    {
        if (bytes >= MemoryReclaimer.ReportBytes)
        {
            _server.Reclaimer.Released(bytes);
        }
    }

    private void CloseForOutputLimit()
    {
        _server.CountOutputLimitDisconnection();
        _discard = true;
        _context.Abort(new ConnectionAbortedException("closing client for overcoming of output buffer limits"));
    }
}
