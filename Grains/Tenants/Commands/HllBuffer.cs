using System.Buffers;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// A HyperLogLog value being changed: its bytes at the start of a pooled array with room to grow by a sparse update or
/// to become dense. The owner disposes it once, returning the array.
/// </summary>
internal struct HllBuffer : IDisposable
{
    public byte[] Bytes;
    public int Length;

    private HllBuffer(byte[] bytes, int length)
    {
        Bytes = bytes;
        Length = length;
    }

    public readonly Span<byte> Span => Bytes.AsSpan(0, Length);

    /// <summary>An empty buffer of at least <paramref name="capacity"/> bytes.</summary>
    public static HllBuffer Rent(int capacity) => new(ArrayPool<byte>.Shared.Rent(capacity), 0);

    /// <summary>A copy of <paramref name="value"/> with room for a dense value or a sparse update.</summary>
    public static HllBuffer CopyOf(ReadOnlySpan<byte> value)
    {
        var buffer = Rent(Math.Max(value.Length + 8, HyperLogLog.DenseSize));
        value.CopyTo(buffer.Bytes);
        buffer.Length = value.Length;
        return buffer;
    }

    /// <summary>An empty HyperLogLog (createHLLObject), with room to grow.</summary>
    public static HllBuffer Empty()
    {
        var buffer = Rent(HyperLogLog.DenseSize);
        buffer.Length = HyperLogLog.WriteEmpty(buffer.Bytes);
        return buffer;
    }

    public void EnsureCapacity(int capacity)
    {
        if (Bytes.Length >= capacity)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(capacity);
        Bytes.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(Bytes);
        Bytes = larger;
    }

    public void Dispose()
    {
        if (Bytes is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(Bytes);
        }
        Bytes = [];
        Length = 0;
    }
}
