using System.Buffers.Binary;

namespace IceFire.Grains.Cluster.Rpc;

/// <summary>
/// The framing of cluster calls. A caller opens a TCP connection to a silo's cluster port and writes
/// <see cref="Magic"/> and its node id (8 bytes, little-endian); then both sides exchange frames:
/// <c>u32 length | u64 call id | u8 kind (request) or status (response) | payload</c>, all little-endian, where the
/// length counts everything after itself. Calls are multiplexed: responses come back in any order, matched by id.
/// A request of kind <see cref="CancelKind"/> with an empty payload cancels the call with its id.
/// </summary>
public static class ClusterRpc
{
    /// <summary>The first bytes of a cluster-call connection; Raft links on the same port start otherwise.</summary>
    public static ReadOnlySpan<byte> Magic => "IFR1"u8;

    /// <summary>The largest frame either side accepts; a longer one closes the connection.</summary>
    public const int MaxFrameLength = 512 << 20;

    /// <summary>Call id and kind or status, after the length.</summary>
    internal const int FrameHeaderLength = 9;

    /// <summary>The request kind that cancels an earlier call of the same id.</summary>
    public const byte CancelKind = 0;

    /// <summary>Response status: the handler answered.</summary>
    public const byte StatusOk = 0;

    /// <summary>Response status: the handler threw; the payload is its message in UTF-8.</summary>
    public const byte StatusFailed = 255;

    internal static byte[] Frame(ulong id, byte kindOrStatus, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + FrameHeaderLength + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)(FrameHeaderLength + payload.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(4), id);
        frame[12] = kindOrStatus;
        payload.CopyTo(frame.AsSpan(13));
        return frame;
    }

    /// <summary>Reads one frame, or null at a clean end of stream.</summary>
    /// <exception cref="InvalidDataException">The frame is malformed or too long.</exception>
    internal static async ValueTask<(ulong Id, byte Code, byte[] Payload)?> ReadFrameAsync(Stream stream, byte[] header, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < 4)
        {
            var n = await stream.ReadAsync(header.AsMemory(read, 4 - read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? null : throw new EndOfStreamException("the connection closed inside a frame");
            }
            read += n;
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length < FrameHeaderLength || length > MaxFrameLength)
        {
            throw new InvalidDataException($"a cluster call frame of {length} bytes is out of bounds");
        }
        await stream.ReadExactlyAsync(header.AsMemory(0, FrameHeaderLength), cancellationToken).ConfigureAwait(false);
        var id = BinaryPrimitives.ReadUInt64LittleEndian(header);
        var code = header[8];
        var payload = length == FrameHeaderLength ? [] : new byte[length - FrameHeaderLength];
        await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        return (id, code, payload);
    }
}

/// <summary>What a call's handler answered: a status (0 for success) and a payload the caller parses.</summary>
public readonly record struct RpcResponse(byte Status, ReadOnlyMemory<byte> Payload);

/// <summary>Serves one call of <paramref name="kind"/>; cancelled when the caller cancels or leaves.</summary>
public delegate ValueTask<RpcResponse> RpcHandler(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

/// <summary>
/// A cluster call failed in transport: the peer could not be reached, the connection broke, the call timed out, or the
/// handler threw. <see cref="Sent"/> tells whether the request may have reached the peer, so a caller knows whether
/// retrying a write could run it twice.
/// </summary>
public sealed class ClusterRpcException(bool sent, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>False only when the request certainly never left this silo.</summary>
    public bool Sent { get; } = sent;
}

/// <summary>Timeouts of cluster calls.</summary>
public sealed record ClusterRpcOptions
{
    /// <summary>How long connecting to a peer may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
