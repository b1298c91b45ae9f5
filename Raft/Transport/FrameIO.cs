using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using IceFire.Raft.Transport.Wire;

namespace IceFire.Raft.Transport;

/// <summary>Length-prefixed frames: [length u32 little-endian][protobuf <see cref="WireFrame"/>].</summary>
internal static class FrameIO
{
    /// <summary>Largest frame accepted; a larger length prefix is treated as a corrupt stream.</summary>
    public const int MaxFrameBytes = 64 << 20;

    public static async ValueTask WriteAsync(Stream stream, WireFrame frame, CancellationToken ct)
    {
        var size = frame.CalculateSize();
        var buffer = ArrayPool<byte>.Shared.Rent(size + 4);
        try
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)size);
            frame.WriteTo(buffer.AsSpan(4, size));
            await stream.WriteAsync(buffer.AsMemory(0, size + 4), ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads one frame; null at a clean end of stream. Throws <see cref="InvalidDataException"/> or
    /// <see cref="InvalidProtocolBufferException"/> on a corrupt frame.</summary>
    public static async ValueTask<WireFrame?> ReadAsync(Stream stream, byte[] header, CancellationToken ct)
    {
        var got = await stream.ReadAtLeastAsync(header.AsMemory(0, 4), 4, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (got == 0) return null;
        if (got < 4) throw new EndOfStreamException("connection closed inside a frame header");
        var size = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (size > MaxFrameBytes) throw new InvalidDataException($"frame length {size} exceeds {MaxFrameBytes}");
        var buffer = ArrayPool<byte>.Shared.Rent((int)size);
        try
        {
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)size), ct).ConfigureAwait(false);
            return WireFrame.Parser.ParseFrom(buffer, 0, (int)size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
