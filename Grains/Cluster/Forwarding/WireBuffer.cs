using System.Buffers.Binary;
using System.Text;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>Appends little-endian numbers and length-prefixed byte strings to a growable buffer.</summary>
internal sealed class WireWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    private Span<byte> Take(int count)
    {
        if (_buffer.Length - _length < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void Byte(byte value) => Take(1)[0] = value;

    public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        value.CopyTo(Take(value.Length));
    }

    public void String(string value) => Bytes(Encoding.UTF8.GetBytes(value));
}

/// <summary>Reads what <see cref="WireWriter"/> wrote; a short or malformed payload throws <see cref="FormatException"/>.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> source)
{
    private readonly int _length = source.Length;
    private ReadOnlySpan<byte> _rest = source;

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _length - _rest.Length;

    public readonly bool AtEnd => _rest.IsEmpty;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _rest.Length < count)
        {
            throw new FormatException("a cluster call payload is truncated");
        }
        var span = _rest[..count];
        _rest = _rest[count..];
        return span;
    }

    public byte Byte() => Take(1)[0];

    public void Skip(int count) => Take(count);

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> Bytes() => Take(Int32());

    public string String() => Encoding.UTF8.GetString(Bytes());

    /// <summary>Everything not read yet.</summary>
    public ReadOnlySpan<byte> Rest()
    {
        var rest = _rest;
        _rest = [];
        return rest;
    }
}
