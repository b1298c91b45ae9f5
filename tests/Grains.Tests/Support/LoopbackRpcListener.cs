using System.Net;
using System.Net.Sockets;
using IceFire.Grains.Cluster.Rpc;

namespace IceFire.Grains.Tests.Support;

/// <summary>A cluster port on loopback: accepts connections, checks the magic and serves calls with the handler.</summary>
internal sealed class LoopbackRpcListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ClusterRpcServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly Task _loop;
    private int _disposed;

    public LoopbackRpcListener(RpcHandler handler, int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _server = new ClusterRpcServer(handler);
        _loop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_accepted)
            {
                _accepted.Add(socket);
            }
            _ = Task.Run(async () =>
            {
                var stream = new NetworkStream(socket, ownsSocket: true);
                var magic = new byte[4];
                try
                {
                    await stream.ReadExactlyAsync(magic, _stop.Token);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or EndOfStreamException or ObjectDisposedException)
                {
                    return;
                }
                await _server.ServeAsync(stream, _stop.Token);
            });
        }
    }

    /// <summary>Stops listening and breaks every open connection, as a killed process would.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_accepted)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }
        await _loop;
    }
}
