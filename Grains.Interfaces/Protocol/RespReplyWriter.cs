using System.Buffers.Text;

namespace IceFire.Grains.Interfaces;

/// <summary>Renders replies as RESP2 or RESP3 into a connection's <see cref="ReplyBuffer"/>, without allocating.</summary>
public sealed class RespReplyWriter(ReplyBuffer buffer) : IReplyWriter
{
    public RespProtocol Protocol { get; set; } = RespProtocol.Resp2;

    public long Position => buffer.Length;

    public void Rewind(long position) => buffer.Truncate((int)position);

    public void WriteRaw(ReadOnlySpan<byte> frame)
    {
        frame.CopyTo(buffer.GetSpan(frame.Length));
        buffer.Advance(frame.Length);
    }

    public void WriteSimpleString(ReadOnlySpan<byte> text)
    {
        var span = buffer.GetSpan(text.Length + 3);
        span[0] = (byte)'+';
        text.CopyTo(span[1..]);
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        buffer.Advance(text.Length + 3);
    }

    public void WriteError(ReadOnlySpan<byte> message)
    {
        var span = buffer.GetSpan(message.Length + 3);
        span[0] = (byte)'-';
        for (var i = 0; i < message.Length; i++)
        {
            var b = message[i];
            span[i + 1] = b is (byte)'\r' or (byte)'\n' ? (byte)' ' : b;
        }
        span[message.Length + 1] = (byte)'\r';
        span[message.Length + 2] = (byte)'\n';
        buffer.Advance(message.Length + 3);
    }

    public void WriteInteger(long value) => WriteNumberLine((byte)':', value);

    public void WriteBulk(ReadOnlySpan<byte> value) => WriteBulk(buffer, value);

    /// <summary>Writes <c>$len</c> and the value: the frame is the same in RESP2 and RESP3.</summary>
    public static void WriteBulk(ReplyBuffer buffer, ReadOnlySpan<byte> value)
    {
        var span = buffer.GetSpan(value.Length + 24);
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, span[1..], out var n);
        var pos = 1 + n;
        span[pos++] = (byte)'\r';
        span[pos++] = (byte)'\n';
        value.CopyTo(span[pos..]);
        pos += value.Length;
        span[pos++] = (byte)'\r';
        span[pos++] = (byte)'\n';
        buffer.Advance(pos);
    }

    public void WriteNull() => WriteRaw(Protocol == RespProtocol.Resp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    public void WriteNullArray() => WriteRaw(Protocol == RespProtocol.Resp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void WriteArrayHeader(int count) => WriteNumberLine((byte)'*', count);

    public void WriteMapHeader(int pairs)
    {
        if (Protocol == RespProtocol.Resp3)
        {
            WriteNumberLine((byte)'%', pairs);
        }
        else
        {
            WriteNumberLine((byte)'*', pairs * 2L);
        }
    }

    public void WriteSetHeader(int count) => WriteNumberLine(Protocol == RespProtocol.Resp3 ? (byte)'~' : (byte)'*', count);

    public void WriteDouble(double value)
    {
        Span<byte> text = stackalloc byte[64];
        var length = FormatDouble(value, text);
        if (Protocol == RespProtocol.Resp3)
        {
            var span = buffer.GetSpan(length + 3);
            span[0] = (byte)',';
            text[..length].CopyTo(span[1..]);
            span[length + 1] = (byte)'\r';
            span[length + 2] = (byte)'\n';
            buffer.Advance(length + 3);
        }
        else
        {
            WriteBulk(text[..length]);
        }
    }

    public void WriteVerbatim(ReadOnlySpan<byte> format, ReadOnlySpan<byte> text)
    {
        if (Protocol != RespProtocol.Resp3)
        {
            WriteBulk(text);
            return;
        }
        var total = format.Length + 1 + text.Length;
        var span = buffer.GetSpan(total + 24);
        span[0] = (byte)'=';
        Utf8Formatter.TryFormat(total, span[1..], out var n);
        var pos = 1 + n;
        span[pos++] = (byte)'\r';
        span[pos++] = (byte)'\n';
        format.CopyTo(span[pos..]);
        pos += format.Length;
        span[pos++] = (byte)':';
        text.CopyTo(span[pos..]);
        pos += text.Length;
        span[pos++] = (byte)'\r';
        span[pos++] = (byte)'\n';
        buffer.Advance(pos);
    }

    private void WriteNumberLine(byte prefix, long value)
    {
        var span = buffer.GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out var n);
        span[n + 1] = (byte)'\r';
        span[n + 2] = (byte)'\n';
        buffer.Advance(n + 3);
    }

    /// <summary>Redis 7.0's reply format for doubles; see <see cref="RedisDouble.Format"/>.</summary>
    public static int FormatDouble(double value, Span<byte> destination) => RedisDouble.Format(value, destination);
}
