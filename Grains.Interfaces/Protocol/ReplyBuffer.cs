using System.Buffers;

namespace IceFire.Grains.Interfaces;

/// <summary>A connection's growable reply buffer: replies collect here, then go to the socket in one write.</summary>
public sealed class ReplyBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);
    private int _length;

    public int Length => _length;

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
        if (_buffer.Length > 1 << 20)
        {
            // Do not keep a huge buffer for an idle connection after one large reply.
            ArrayPool<byte>.Shared.Return(_buffer);
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
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + need));
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
