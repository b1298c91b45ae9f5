using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using IceFire.Grains.Cluster.Wire;

namespace IceFire.Grains.Cluster;

/// <summary>
/// The requests a silo makes on another's cluster port before it may use the cluster's messaging, which admits only
/// silos already in the system group: joining, and reading or writing Orleans' membership table (which lives in that
/// group) while this silo is not its member or does not lead it. One request a connection: the caller writes
/// <see cref="Magic"/>, then <c>u64 sender node id | u32 length | SystemRequestProto</c>; the callee answers <c>u32 length |
/// SystemResponseProto</c> and closes. Integers are little-endian. The sender's id (0 before it has one) lets
/// whatever stands between silos (a firewall rule, the tests' fault proxy) tell whose request it is, as with Raft's links. These are rare (a join, a membership change), so a
/// connection each costs nothing that matters and leaves no state to manage.
/// </summary>
internal static class SystemRequests
{
    /// <summary>The first bytes of a system request connection; Raft links on the same port start otherwise.</summary>
    public static ReadOnlySpan<byte> Magic => "IFS2"u8;

    /// <summary>The longest request or response either side accepts (a membership table of a few thousand silos).</summary>
    public const int MaxLength = 16 << 20;

    /// <summary>Sends <paramref name="request"/> from node <paramref name="sender"/> to the silo at <paramref name="address"/> and returns its answer.</summary>
    /// <exception cref="IOException">The silo could not be reached, or the connection broke or closed early.</exception>
    /// <exception cref="SocketException">The connection could not be made.</exception>
    /// <exception cref="InvalidDataException">The answer is malformed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SystemResponseProto> SendAsync(EndPoint address, ulong sender, SystemRequestProto request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var body = request.ToByteArray();
        var frame = new byte[Magic.Length + 8 + 4 + body.Length];
        Magic.CopyTo(frame);
        BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(Magic.Length), sender);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(Magic.Length + 8), (uint)body.Length);
        body.CopyTo(frame.AsSpan(Magic.Length + 8 + 4));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        var answer = await ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        try
        {
            return SystemResponseProto.Parser.ParseFrom(answer);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{address} answered a system request with a malformed response", e);
        }
    }

    /// <summary>
    /// Answers one request on <paramref name="stream"/>, whose <see cref="Magic"/> was already read, then closes it.
    /// A malformed request closes the connection unanswered.
    /// </summary>
    public static async Task ServeAsync(Stream stream, Func<SystemRequestProto, CancellationToken, Task<SystemResponseProto>> handle, TimeSpan readTimeout, CancellationToken cancellationToken)
    {
        await using (stream.ConfigureAwait(false))
        {
            SystemRequestProto request;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(readTimeout);
                // The sender's id is for what stands between silos; the request itself says what it needs.
                await stream.ReadExactlyAsync(new byte[8], timeout.Token).ConfigureAwait(false);
                request = SystemRequestProto.Parser.ParseFrom(await ReadAsync(stream, timeout.Token).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidProtocolBufferException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            SystemResponseProto response;
            try
            {
                response = await handle(request, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            var body = response.ToByteArray();
            var frame = new byte[4 + body.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)body.Length);
            body.CopyTo(frame.AsSpan(4));
            try
            {
                await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The caller gave up; it retries with a new request.
            }
        }
    }

    private static async Task<byte[]> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > MaxLength)
        {
            throw new InvalidDataException($"a system request of {length} bytes is longer than {MaxLength}");
        }
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return body;
    }
}
