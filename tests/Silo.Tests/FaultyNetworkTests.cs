using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>The test network itself: it tells dialers apart, and blocks, stalls, delays and heals each direction.</summary>
public sealed class FaultyNetworkTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly FaultyNetwork _network;
    private readonly int _proxyPort;
    private readonly Task _echoLoop;
    private int _echoed;

    public FaultyNetworkTests()
    {
        _echo.Start();
        _echoLoop = EchoAsync();
        var target = (IPEndPoint)_echo.LocalEndpoint;
        // The proxy for node 2 listens on the proxy address with the target's port number, as TestCluster sets it up.
        _proxyPort = target.Port;
        _network = new FaultyNetwork([(2, _proxyPort, target)], DialerPorts);
    }

    [Fact]
    public async Task A_blocked_direction_stalls_open_connections_until_healed_and_refuses_new_ones()
    {
        using var open = await DialAsync(from: 1);
        Assert.Equal("ping", await EchoAsync(open, "ping"));

        _network.Block(1, 2);
        await SendAsync(open, "held");
        var reply = ReceiveAsync(open, 4);
        // Refused: the proxy closes a new connection from node 1 once it has read who dials.
        using var refused = await DialAsync(from: 1);
        Assert.Equal(0, await refused.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Bound));
        Assert.Equal(1, _network.Refused);
        // Other dialers are not affected.
        using var other = await DialAsync(from: 3);
        Assert.Equal("free", await EchoAsync(other, "free"));
        Assert.False(reply.IsCompleted, "bytes crossed a blocked direction");

        _network.Heal();
        Assert.Equal("held", await reply.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_blocked_reverse_direction_holds_only_the_replies()
    {
        using var open = await DialAsync(from: 1);
        _network.Block(2, 1);
        await SendAsync(open, "one-");
        var reply = ReceiveAsync(open, 4);
        // The request reaches node 2 (the echo answers), but its reply is held back.
        await LocalCluster.WaitAsync(() => Task.FromResult(Volatile.Read(ref _echoed) >= 13 + 4), "the request to cross the open direction", Bound);
        Assert.False(reply.IsCompleted, "the reply crossed a blocked direction");
        _network.Heal();
        Assert.Equal("one-", await reply.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_delay_holds_each_chunk_back()
    {
        using var open = await DialAsync(from: 1);
        _network.Delay(1, 2, TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        Assert.Equal("slow", await EchoAsync(open, "slow"));
        Assert.True(clock.ElapsedMilliseconds >= 290, $"the echo came back after {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>The Orleans ports the dialing nodes advertise (three-byte varints, so every hello is 13 bytes).</summary>
    private static readonly Dictionary<int, int> DialerPorts = new() { [1] = 20001, [3] = 20003 };

    /// <summary>
    /// Dials the proxy as node <paramref name="from"/>'s Orleans silo would: a length-prefixed preamble holding its
    /// advertised address (here only that, after a byte that is not a Raft frame's first tag).
    /// </summary>
    private async Task<Socket> DialAsync(int from)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(FaultyNetwork.ProxyAddress, _proxyPort));
        byte[] preamble = [0x20, .. FaultyNetwork.ProxyAddress.GetAddressBytes(), 0x01, .. FaultyNetwork.PrefixVarint((uint)DialerPorts[from])];
        var hello = new byte[4 + preamble.Length];
        BinaryPrimitives.WriteInt32LittleEndian(hello, preamble.Length);
        preamble.CopyTo(hello, 4);
        Assert.Equal(13, hello.Length);
        await socket.SendAsync(hello, SocketFlags.None);
        return socket;
    }

    private static async Task<string> EchoAsync(Socket socket, string text)
    {
        await SendAsync(socket, text);
        return await ReceiveAsync(socket, text.Length).WaitAsync(Bound);
    }

    private static async Task SendAsync(Socket socket, string text) => await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(text), SocketFlags.None);

    private static async Task<string> ReceiveAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }
            read += n;
        }
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    /// <summary>Node 2: echoes everything after the 13-byte hello back.</summary>
    private async Task EchoAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _echo.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var s = socket;
                var buffer = new byte[1024];
                var skip = 13;
                try
                {
                    while (true)
                    {
                        var n = await s.ReceiveAsync(buffer, SocketFlags.None);
                        if (n == 0)
                        {
                            return;
                        }
                        Interlocked.Add(ref _echoed, n);
                        var from = Math.Min(skip, n);
                        skip -= from;
                        if (n > from)
                        {
                            await s.SendAsync(buffer.AsMemory(from, n - from), SocketFlags.None);
                        }
                    }
                }
                catch (SocketException)
                {
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _network.DisposeAsync();
        _echo.Stop();
        await _echoLoop;
    }
}
