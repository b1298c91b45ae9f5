using System.Collections.Concurrent;
using System.Net.Sockets;

namespace IceFire.Grains.Cluster.Rpc;

/// <summary>Serves cluster calls arriving on connections accepted on the cluster port, each call concurrently.</summary>
public sealed class ClusterRpcServer(RpcHandler handler)
{
    /// <summary>
    /// Serves one connection whose <see cref="ClusterRpc.Magic"/> was already read, until the caller closes it or
    /// <paramref name="cancellationToken"/> fires. Owns <paramref name="stream"/>.
    /// </summary>
    public async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var calls = new ConcurrentDictionary<ulong, CancellationTokenSource>();
        using var write = new SemaphoreSlim(1, 1);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var hello = new byte[8];
            await stream.ReadExactlyAsync(hello, connection.Token).ConfigureAwait(false);
            var header = new byte[ClusterRpc.FrameHeaderLength];
            while (true)
            {
                var frame = await ClusterRpc.ReadFrameAsync(stream, header, connection.Token).ConfigureAwait(false);
                if (frame is not { } f)
                {
                    break;
                }
                if (f.Code == ClusterRpc.CancelKind)
                {
                    if (calls.TryRemove(f.Id, out var cancelled))
                    {
                        try
                        {
                            await cancelled.CancelAsync().ConfigureAwait(false);
                        }
                        catch (ObjectDisposedException)
                        {
                            // The call finished meanwhile.
                        }
                    }
                    continue;
                }
                var call = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
                calls[f.Id] = call;
                _ = Task.Run(() => ServeCallAsync(stream, write, calls, f.Id, f.Code, f.Payload, call), CancellationToken.None);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidDataException or EndOfStreamException or OperationCanceledException)
        {
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ServeCallAsync(
        Stream stream, SemaphoreSlim write, ConcurrentDictionary<ulong, CancellationTokenSource> calls, ulong id, byte kind, byte[] payload, CancellationTokenSource call)
    {
        RpcResponse response;
        try
        {
            response = await handler(kind, payload, call.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            response = new RpcResponse(ClusterRpc.StatusFailed, System.Text.Encoding.UTF8.GetBytes(e.Message));
        }
        finally
        {
            calls.TryRemove(new KeyValuePair<ulong, CancellationTokenSource>(id, call));
        }
        var cancelled = call.IsCancellationRequested;
        call.Dispose();
        if (cancelled)
        {
            // The caller no longer waits (it cancelled, or the connection is gone).
            return;
        }
        var frame = ClusterRpc.Frame(id, response.Status, response.Payload.Span);
        try
        {
            await write.WaitAsync().ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(frame).ConfigureAwait(false);
            }
            finally
            {
                write.Release();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The connection broke; the caller learns it from its own side.
        }
    }
}
