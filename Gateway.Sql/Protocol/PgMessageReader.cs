using System.Buffers.Binary;
using System.Text;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>A malformed frontend message: answered with 08P01 and the connection closes.</summary>
internal sealed class PgProtocolException(string message) : Exception(message);

/// <summary>Reads the fields of one frontend message body in order; a field past the end is a protocol violation.</summary>
internal ref struct PgMessageReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly bool AtEnd => _position == _body.Length;

    public short Int16()
    {
        Need(2);
        var value = BinaryPrimitives.ReadInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public int Int32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadInt32BigEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    public byte Byte()
    {
        Need(1);
        return _body[_position++];
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0)
        {
            throw new PgProtocolException("negative length in message");
        }
        Need(count);
        var value = _body.Slice(_position, count);
        _position += count;
        return value;
    }

    /// <summary>A null-terminated string, UTF-8.</summary>
    public string String()
    {
        var end = _body[_position..].IndexOf((byte)0);
        if (end < 0)
        {
            throw new PgProtocolException("unterminated string in message");
        }
        var value = Encoding.UTF8.GetString(_body.Slice(_position, end));
        _position += end + 1;
        return value;
    }

    private readonly void Need(int count)
    {
        if (_body.Length - _position < count)
        {
            throw new PgProtocolException("message too short for its fields");
        }
    }
}
