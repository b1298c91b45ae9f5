using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using IceFire.Raft.Transport.Wire;

namespace IceFire.Raft.Transport;

public sealed partial class TcpTransport
{
    /// <summary>The one connection to one peer: an outbound queue, a writer, a reader, and (lower id only) a dialer.</summary>
    private sealed class PeerLink(TcpTransport owner, ulong peer)
    {
        private const int MaxQueued = 100_000;
        private const int MaxFrameBatchBytes = 4 << 20;
        private readonly ConcurrentQueue<(ulong Group, Message Message)> _queue = new();
        private readonly SemaphoreSlim _wake = new(0);
        private readonly SemaphoreSlim _linkChanged = new(0);
        private readonly Lock _gate = new();
        private Stream? _stream;
        private int _queued;
        private int _started;
        private Task _writer = Task.CompletedTask;
        private Task _dialer = Task.CompletedTask;

        public volatile IPEndPoint? Endpoint;
        public volatile bool Blocked;

        public bool Connected => _stream is not null;

        public void Start()
        {
            if (Interlocked.Exchange(ref _started, 1) == 1) return;
            _writer = Task.Run(WriteLoopAsync);
            if (owner._nodeId < peer) _dialer = Task.Run(DialLoopAsync);
        }

        public void Enqueue(ulong group, Message m)
        {
            if (Blocked || _stream is null || Volatile.Read(ref _queued) >= MaxQueued)
            {
                // Raft retransmits; holding messages for a dead link only delivers them stale.
                owner.Counters.Dropped();
                return;
            }

            _queue.Enqueue((group, m));
            Interlocked.Increment(ref _queued);
            if (_wake.CurrentCount == 0) _wake.Release();
        }

        public void Block()
        {
            Blocked = true;
            Close();
        }

        public void Attach(Stream stream)
        {
            Stream? old;
            lock (_gate)
            {
                old = _stream;
                _stream = stream;
            }

            old?.Dispose();
            _ = Task.Run(() => ReadLoopAsync(stream));
            _linkChanged.Release();
        }

        public void Close()
        {
            Stream? old;
            lock (_gate)
            {
                old = _stream;
                _stream = null;
            }

            if (old is null) return;
            old.Dispose();
            _linkChanged.Release();
            owner.OnDisconnected(peer);
        }

        public async Task StopAsync()
        {
            Close();
            _wake.Release();
            try
            {
                await Task.WhenAll(_writer, _dialer).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        private void Detach(Stream stream)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_stream, stream)) return;
                _stream = null;
            }

            stream.Dispose();
            _linkChanged.Release();
            owner.OnDisconnected(peer);
        }

        private async Task WriteLoopAsync()
        {
            var ct = owner._stop.Token;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await _wake.WaitAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var stream = _stream;
                var frame = new WireFrame { FromNode = owner._nodeId };
                int count = 0, bytes = 0;
                while (bytes < MaxFrameBatchBytes && _queue.TryDequeue(out var item))
                {
                    Interlocked.Decrement(ref _queued);
                    bytes += WireCodec.Add(frame, item.Group, item.Message);
                    count++;
                }

                if (count == 0) continue;
                if (stream is null)
                {
                    owner.Counters.Dropped(count);
                    continue;
                }

                try
                {
                    await FrameIO.WriteAsync(stream, frame, ct).ConfigureAwait(false);
                    owner.Counters.FrameSent(count);
                }
                catch (Exception)
                {
                    // Any failure to write takes the link down; the dialer (or the peer's) brings up a new one.
                    owner.Counters.Dropped(count);
                    Detach(stream);
                }

                if (!_queue.IsEmpty && _wake.CurrentCount == 0) _wake.Release();
            }
        }

        private async Task ReadLoopAsync(Stream stream)
        {
            var header = new byte[4];
            var ct = owner._stop.Token;
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var frame = await FrameIO.ReadAsync(stream, header, ct).ConfigureAwait(false);
                    if (frame is null) break;
                    if (frame.FromNode != peer)
                    {
                        owner.Counters.Corrupt();
                        break;
                    }

                    owner.Counters.FrameReceived();
                    owner.Deliver(peer, frame);
                }
            }
            catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
            {
                owner.Counters.Corrupt();
            }
            catch (Exception)
            {
                // The link went down (or delivery failed); the dialer reconnects.
            }
            finally
            {
                Detach(stream);
            }
        }

        private async Task DialLoopAsync()
        {
            var ct = owner._stop.Token;
            var backoff = TimeSpan.FromMilliseconds(20);
            while (!ct.IsCancellationRequested)
            {
                if (Blocked || _stream is not null || Endpoint is not { } endpoint)
                {
                    try
                    {
                        await _linkChanged.WaitAsync(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    continue;
                }

                Socket? socket = null;
                NetworkStream? stream = null;
                try
                {
                    socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(2));
                    await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                    stream = new NetworkStream(socket, ownsSocket: true);
                    socket = null;
                    await FrameIO.WriteAsync(stream, new WireFrame { FromNode = owner._nodeId }, ct).ConfigureAwait(false);
                    owner.Counters.Connected();
                    Attach(stream);
                    stream = null;
                    backoff = TimeSpan.FromMilliseconds(20);
                }
                catch (Exception)
                {
                    // Refused, reset or timed out: back off and dial again, unless the transport is stopping.
                    socket?.Dispose();
                    stream?.Dispose();
                    if (ct.IsCancellationRequested) return;
                    try
                    {
                        await Task.Delay(backoff, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1000));
                }
            }
        }
    }
}
