using System.Buffers;

namespace IceFire.Grains.Interfaces;

/// <summary>
/// A connection's growable reply buffer: replies collect here, then go to the socket in one write. Buffers up to
/// 1 MiB come from the shared pool; larger ones are the GC's and are dropped when cleared, so the memory of a burst of
/// large replies goes back instead of staying in the pool.
/// </summary>
public sealed class ReplyBuffer : IBufferWriter<byte>, IDisposable
{
    private const int PooledMaxBytes = 1 << 20;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);
    private int _length;

    public int Length => _length;

    /// <summary>The size of the buffer behind the replies.</summary>
    public int Capacity => _buffer.Length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public void Truncate(int length) => _length = length;

    public void Clear()
    {
        _length = 0;
        if (_buffer.Length > 64 * 1024)
        {
            // Do not keep a large buffer for an idle connection after one large reply.
            Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(4096);
        }
    }

    private void Ensure(int sizeHint)
    {
        var need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length >= need)
        {
            return;
        }
        var size = (int)Math.Min(Array.MaxLength, Math.Max(_buffer.Length * 2L, (long)_length + need));
        var next = size <= PooledMaxBytes ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        Return(_buffer);
        _buffer = [];
    }

    private static void Return(byte[] buffer)
    {
        // Only the pool's own sizes go back to it; the GC takes the rest.
        if (buffer.Length is > 0 and <= PooledMaxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
