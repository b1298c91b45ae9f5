using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using IceFire.Raft.Transport.Wire;

namespace IceFire.Raft.Transport;

/// <summary>
/// Raft traffic over TCP: one connection per pair of nodes, shared by every group between them, dialed by the node
/// with the lower id and redialed with exponential backoff. Each write is one frame holding every queued message for
/// that peer, with the heartbeats of all groups folded into compact lists. A frame that cannot be decoded closes the
/// connection and is counted; messages naming the wrong nodes are dropped and counted.
/// </summary>
public sealed partial class TcpTransport : IRaftTransport, IAsyncDisposable
{
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(5);
    private readonly ulong _nodeId;
    private readonly Action<ulong, Message> _deliver;
    private readonly TcpListener? _listener;
    private readonly ConcurrentDictionary<ulong, PeerLink> _peers = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;

    /// <summary>
    /// Creates a transport for <paramref name="nodeId"/> listening on <paramref name="listen"/> (port 0 picks one), or
    /// with no listener of its own when <paramref name="listen"/> is null: then the process's own listener (for example
    /// the silo's cluster port) hands Raft connections over with <see cref="AcceptConnectionAsync"/>.
    /// <paramref name="deliver"/> receives (group, message) on transport threads; it must not block for long.
    /// </summary>
    public TcpTransport(ulong nodeId, IPEndPoint? listen, Action<ulong, Message> deliver)
    {
        _nodeId = nodeId;
        _deliver = deliver;
        if (listen is null) return;
        _listener = new TcpListener(listen);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
    }

    /// <summary>Where this transport accepts connections (valid after <see cref="Start"/> when it has a listener).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener ?? throw new InvalidOperationException("this transport has no listener of its own")).LocalEndpoint;

    /// <summary>Traffic and drop counts.</summary>
    public TransportCounters Counters { get; } = new();

    /// <summary>
    /// Raised (on a transport thread) when the link to a peer goes down; hosts pass it to
    /// <see cref="Hosting.RaftHost.ReportUnreachable"/> so quiet followers of a lost leader start their timers.
    /// </summary>
    public event Action<ulong>? PeerDisconnected;

    /// <summary>Peers with a live connection.</summary>
    public int OpenConnections => _peers.Values.Count(p => p.Connected);

    /// <summary>Starts accepting connections.</summary>
    public void Start()
    {
        if (_listener is null) return;
        _listener.Start(backlog: 128);
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Adds a peer or changes its address; the lower-id side of the pair starts dialing.</summary>
    public void SetPeer(ulong nodeId, IPEndPoint endpoint)
    {
        if (nodeId == _nodeId) return;
        var link = _peers.GetOrAdd(nodeId, id => new PeerLink(this, id));
        link.Endpoint = endpoint;
        link.Start();
    }

    /// <inheritdoc/>
    public void Send(ulong group, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_peers.TryGetValue(message.To, out var link)) link.Enqueue(group, message);
        else Counters.Dropped();
    }

    /// <summary>Cuts the link to <paramref name="peer"/> and refuses it until <see cref="Unblock"/> (fault injection).</summary>
    public void Block(ulong peer)
    {
        if (_peers.TryGetValue(peer, out var link)) link.Block();
    }

    /// <summary>Allows the link to <paramref name="peer"/> again.</summary>
    public void Unblock(ulong peer)
    {
        if (_peers.TryGetValue(peer, out var link)) link.Blocked = false;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        foreach (var link in _peers.Values) link.Close();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        foreach (var link in _peers.Values) await link.StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            socket.NoDelay = true;
            _ = AcceptConnectionAsync(new NetworkStream(socket, ownsSocket: true));
        }
    }

    /// <summary>
    /// Takes over an accepted connection whose first frame is a Raft hello. The transport owns the stream from now on;
    /// the task completes once the hello was checked (the connection then lives on, or was refused and closed).
    /// </summary>
    public async Task AcceptConnectionAsync(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(HelloTimeout);
            var hello = await FrameIO.ReadAsync(stream, new byte[4], timeout.Token).ConfigureAwait(false);
            // Only the lower id dials, so a hello from a higher id, an unknown or a blocked node is refused.
            if (hello is not null && hello.FromNode < _nodeId && _peers.TryGetValue(hello.FromNode, out var link) && !link.Blocked)
            {
                link.Attach(stream);
                return;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidProtocolBufferException or OperationCanceledException or SocketException)
        {
            // Fall through: the connection is refused.
        }

        Counters.Rejected();
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    private void OnDisconnected(ulong peer) => PeerDisconnected?.Invoke(peer);

    private void Deliver(ulong peer, WireFrame frame)
    {
        var messages = WireCodec.Unpack(frame, peer, _nodeId, out var invalid);
        if (invalid > 0) Counters.Invalid(invalid);
        foreach (var (group, m) in messages) _deliver(group, m);
    }
}
