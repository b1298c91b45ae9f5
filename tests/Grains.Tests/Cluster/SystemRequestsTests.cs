using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Wire;
using Xunit;

namespace IceFire.Grains.Tests.Cluster;

/// <summary>The one-request connections a silo answers on its cluster port before it is in the cluster's messaging.</summary>
public sealed class SystemRequestsTests : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _handled;

    public SystemRequestsTests()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    private IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    private async Task AcceptAsync()
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
            _ = Task.Run(async () =>
            {
                var stream = new NetworkStream(socket, ownsSocket: true);
                var magic = new byte[4];
                try
                {
                    await stream.ReadExactlyAsync(magic, _stop.Token);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    await stream.DisposeAsync();
                    return;
                }
                await SystemRequests.ServeAsync(stream, AnswerAsync, TimeSpan.FromMilliseconds(300), _stop.Token);
            });
        }
    }

    private Task<SystemResponseProto> AnswerAsync(SystemRequestProto request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _handled);
        return Task.FromResult(new SystemResponseProto
        {
            Join = new JoinResponseProto { Status = JoinResponseProto.Types.Status.Refused, Message = $"node {request.Join?.Member?.Id} refused" },
        });
    }

    [Fact]
    public async Task ARequestGetsItsAnswer()
    {
        var answer = await SystemRequests.SendAsync(EndPoint, 7, new SystemRequestProto
        {
            Join = new JoinRequestProto { Member = new MemberProto { Id = 7 } },
        }, CancellationToken.None);
        Assert.Equal("node 7 refused", answer.Join.Message);
    }

    [Fact]
    public async Task AnOversizedOrMalformedRequestClosesTheConnectionUnanswered()
    {
        // Magic, sender 7, then the length.
        var oversized = new byte[16];
        "IFS2"u8.CopyTo(oversized);
        oversized[4] = 7;
        BinaryPrimitives.WriteUInt32LittleEndian(oversized.AsSpan(12), SystemRequests.MaxLength + 1u);
        var malformed = new byte[] { (byte)'I', (byte)'F', (byte)'S', (byte)'2', 7, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff };
        foreach (var input in new[] { oversized, malformed })
        {
            Assert.Equal(0, await SendRawAsync(input));
        }
        Assert.Equal(0, Volatile.Read(ref _handled));
        // The listener still serves.
        await ARequestGetsItsAnswer();
    }

    [Fact]
    public async Task ACallerThatSendsNothingIsClosedAfterTheReadTimeout()
    {
        // Only the magic: the server waits for a sender and a length that never come, then gives up.
        Assert.Equal(0, await SendRawAsync("IFS2"u8.ToArray()));
        Assert.Equal(0, Volatile.Read(ref _handled));
    }

    /// <summary>Writes <paramref name="input"/> and returns how many bytes came back before the server closed.</summary>
    private async Task<int> SendRawAsync(byte[] input)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(input);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
        {
            total += read;
        }
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
