using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>
/// Backend messages being assembled: a growable buffer written from one thread at a time (the connection, or the
/// thread stepping a statement for it), copied to the socket on <see cref="FlushAsync"/>.
/// </summary>
internal sealed class PgMessageBuffer
{
    private byte[] _buffer = new byte[8192];
    private int _length;
    private int _messageStart = -1;

    public int Length => _length;

    public void Begin(byte type)
    {
        Ensure(5);
        _buffer[_length] = type;
        _messageStart = _length + 1;
        _length += 5;
    }

    /// <summary>Completes the message begun last: its length field counts itself and the body, not the type byte.</summary>
    public void End()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_messageStart), _length - _messageStart);
        _messageStart = -1;
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void Int16(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void Int32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    /// <summary>A null-terminated UTF-8 string.</summary>
    public void String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Ensure(count + 1);
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        _length += count;
        _buffer[_length++] = 0;
    }

    /// <summary>Room for <paramref name="count"/> bytes, to be committed with <see cref="Advance"/>.</summary>
    public Span<byte> Reserve(int count)
    {
        Ensure(count);
        return _buffer.AsSpan(_length, count);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Where the next byte goes, for patching a length written before its value.</summary>
    public int Position => _length;

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position), value);

    private void Ensure(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
    }

    /// <summary>Drops what was written and not flushed.</summary>
    public void Reset() => _length = 0;

    public async ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (_length > 0)
        {
            await output.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
            _length = 0;
            if (_buffer.Length > 1 << 20)
            {
                // A large result grew the buffer; an idle connection keeps only a small one.
                _buffer = new byte[8192];
            }
        }
        else
        {
            await output.FlushAsync(cancellationToken);
        }
    }
}
