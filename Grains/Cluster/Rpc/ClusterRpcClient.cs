using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace IceFire.Grains.Cluster.Rpc;

/// <summary>
/// Makes cluster calls to other silos: one multiplexed connection per peer, opened on first use and again after it
/// breaks. Thread-safe.
/// </summary>
public sealed class ClusterRpcClient(ulong self, ClusterRpcOptions? options = null) : IAsyncDisposable
{
    private readonly ClusterRpcOptions _options = options ?? new ClusterRpcOptions();
    private readonly ConcurrentDictionary<ulong, EndPoint> _peers = new();
    private readonly ConcurrentDictionary<string, Connection> _connections = new();
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>Sets where <paramref name="nodeId"/> is reached; a changed address drops the old connection.</summary>
    public void SetPeer(ulong nodeId, EndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var old = _peers.TryGetValue(nodeId, out var known) ? known : null;
        _peers[nodeId] = address;
        if (old is not null && !old.Equals(address) && _connections.TryRemove(Key(nodeId), out var stale))
        {
            stale.Close(new ClusterRpcException(true, $"node {nodeId} moved to {address}"));
        }
    }

    /// <summary>Forgets <paramref name="nodeId"/> and closes its connection.</summary>
    public void RemovePeer(ulong nodeId)
    {
        _peers.TryRemove(nodeId, out _);
        if (_connections.TryRemove(Key(nodeId), out var stale))
        {
            stale.Close(new ClusterRpcException(true, $"node {nodeId} left"));
        }
    }

    /// <summary>Calls the silo with id <paramref name="nodeId"/>.</summary>
    /// <exception cref="ClusterRpcException">The peer is unknown or unreachable, the connection broke, or its handler failed.</exception>
    public Task<RpcResponse> CallAsync(ulong nodeId, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!_peers.TryGetValue(nodeId, out var address))
        {
            return Task.FromException<RpcResponse>(new ClusterRpcException(false, $"the address of node {nodeId} is not known yet"));
        }
        return CallAsync(Key(nodeId), address, $"node {nodeId}", kind, payload, cancellationToken);
    }

    /// <summary>Calls whatever silo listens at <paramref name="address"/> (a seed whose id is not known).</summary>
    public Task<RpcResponse> CallAsync(EndPoint address, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        return CallAsync("@" + address, address, address.ToString() ?? "?", kind, payload, cancellationToken);
    }

    private static string Key(ulong nodeId) => "#" + nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<RpcResponse> CallAsync(string key, EndPoint address, string peer, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (kind == ClusterRpc.CancelKind)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), "kind 0 is reserved for cancellation");
        }
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var connection = _connections.GetOrAdd(key, _ => new Connection(this, key, address, peer));
        await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await connection.CallAsync(kind, payload, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        await _disposed.CancelAsync().ConfigureAwait(false);
        foreach (var connection in _connections.Values)
        {
            connection.Close(new ClusterRpcException(true, "the silo is stopping"));
        }
        _connections.Clear();
        _disposed.Dispose();
    }

    /// <summary>One connection to a peer and the calls waiting on it.</summary>
    private sealed class Connection(ClusterRpcClient owner, string key, EndPoint address, string peer)
    {
        private readonly ConcurrentDictionary<ulong, TaskCompletionSource<RpcResponse>> _pending = new();
        private readonly SemaphoreSlim _connect = new(1, 1);
        private readonly SemaphoreSlim _write = new(1, 1);
        private Socket? _socket;
        private NetworkStream? _stream;
        private ClusterRpcException? _closed;
        private long _nextId;

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _stream) is not null)
            {
                return;
            }
            await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_stream is not null)
                {
                    return;
                }
                if (_closed is not null)
                {
                    throw new ClusterRpcException(false, _closed.Message);
                }
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, owner._disposed.Token);
                    timeout.CancelAfter(owner._options.ConnectTimeout);
                    await socket.ConnectAsync(address, timeout.Token).ConfigureAwait(false);
                    var hello = new byte[12];
                    ClusterRpc.Magic.CopyTo(hello);
                    BinaryPrimitives.WriteUInt64LittleEndian(hello.AsSpan(4), owner.SelfId);
                    await socket.SendAsync(hello, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
                {
                    socket.Dispose();
                    Forget();
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new ClusterRpcException(false, $"cannot reach {peer} at {address}: {(e is OperationCanceledException ? "connect timed out" : e.Message)}", e);
                }
                _socket = socket;
                Volatile.Write(ref _stream, new NetworkStream(socket, ownsSocket: true));
                _ = Task.Run(ReadLoopAsync, CancellationToken.None);
            }
            finally
            {
                _connect.Release();
            }
        }

        public async Task<RpcResponse> CallAsync(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            var stream = _stream ?? throw new ClusterRpcException(false, $"the connection to {peer} is closed");
            var id = (ulong)Interlocked.Increment(ref _nextId);
            var call = new TaskCompletionSource<RpcResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = call;
            if (_closed is { } closed)
            {
                _pending.TryRemove(id, out _);
                throw new ClusterRpcException(false, closed.Message);
            }
            var frame = ClusterRpc.Frame(id, kind, payload.Span);
            try
            {
                await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _pending.TryRemove(id, out _);
                throw;
            }
            try
            {
                await stream.WriteAsync(frame, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                _pending.TryRemove(id, out _);
                Close(new ClusterRpcException(true, $"the connection to {peer} broke: {e.Message}", e));
                throw new ClusterRpcException(true, $"the connection to {peer} broke while sending: {e.Message}", e);
            }
            finally
            {
                _write.Release();
            }
            using var registration = cancellationToken.Register(() =>
            {
                if (_pending.TryRemove(id, out var cancelled))
                {
                    cancelled.TrySetCanceled(cancellationToken);
                    _ = SendCancelAsync(id);
                }
            });
            return await call.Task.ConfigureAwait(false);
        }

        private async Task SendCancelAsync(ulong id)
        {
            var stream = _stream;
            if (stream is null)
            {
                return;
            }
            try
            {
                await _write.WaitAsync().ConfigureAwait(false);
                try
                {
                    await stream.WriteAsync(ClusterRpc.Frame(id, ClusterRpc.CancelKind, []), CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    _write.Release();
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                Close(new ClusterRpcException(true, $"the connection to {peer} broke: {e.Message}", e));
            }
        }

        private async Task ReadLoopAsync()
        {
            var stream = _stream!;
            var header = new byte[ClusterRpc.FrameHeaderLength];
            var reason = $"{peer} closed the connection";
            try
            {
                while (true)
                {
                    var frame = await ClusterRpc.ReadFrameAsync(stream, header, CancellationToken.None).ConfigureAwait(false);
                    if (frame is not { } f)
                    {
                        break;
                    }
                    if (!_pending.TryRemove(f.Id, out var call))
                    {
                        continue;
                    }
                    if (f.Code == ClusterRpc.StatusFailed)
                    {
                        call.TrySetException(new ClusterRpcException(true, $"{peer} failed the call: {System.Text.Encoding.UTF8.GetString(f.Payload)}"));
                    }
                    else
                    {
                        call.TrySetResult(new RpcResponse(f.Code, f.Payload));
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidDataException or EndOfStreamException)
            {
                reason = $"the connection to {peer} broke: {e.Message}";
            }
            Close(new ClusterRpcException(true, reason));
        }

        /// <summary>Fails every waiting call and drops the connection, so the next call opens a new one.</summary>
        public void Close(ClusterRpcException reason)
        {
            _closed ??= reason;
            Forget();
            try
            {
                _stream?.Dispose();
                _socket?.Dispose();
            }
            catch (ObjectDisposedException)
            {
            }
            foreach (var id in _pending.Keys)
            {
                if (_pending.TryRemove(id, out var call))
                {
                    call.TrySetException(new ClusterRpcException(true, reason.Message, reason));
                }
            }
        }

        private void Forget()
        {
            owner._connections.TryRemove(new KeyValuePair<string, Connection>(key, this));
        }
    }

    private ulong SelfId => self;
}
