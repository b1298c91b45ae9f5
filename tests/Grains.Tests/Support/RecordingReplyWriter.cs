using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tests.Support;

/// <summary>An <see cref="IReplyWriter"/> that renders RESP2 into a byte list, for asserting on replies as text.</summary>
public sealed class RecordingReplyWriter : IReplyWriter
{
    private readonly List<byte> _bytes = new();

    public RespProtocol Protocol => RespProtocol.Resp2;

    public long Position => _bytes.Count;

    /// <summary>Everything written, as Latin-1 text so any byte survives.</summary>
    public string Text => Encoding.Latin1.GetString(_bytes.ToArray());

    public byte[] Bytes => _bytes.ToArray();

    public void Clear() => _bytes.Clear();

    public void Rewind(long position) => _bytes.RemoveRange((int)position, _bytes.Count - (int)position);

    public void WriteRaw(ReadOnlySpan<byte> frame) => _bytes.AddRange(frame);

    public void WriteSimpleString(ReadOnlySpan<byte> text) => Line('+', text);

    public void WriteError(ReadOnlySpan<byte> message)
    {
        var copy = message.ToArray();
        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is (byte)'\r' or (byte)'\n')
            {
                copy[i] = (byte)' ';
            }
        }
        Line('-', copy);
    }

    public void WriteInteger(long value) => Line(':', value);

    public void WriteBulk(ReadOnlySpan<byte> value)
    {
        Line('$', value.Length);
        _bytes.AddRange(value);
        _bytes.AddRange("\r\n"u8);
    }

    public void WriteNull() => _bytes.AddRange("$-1\r\n"u8);

    public void WriteNullArray() => _bytes.AddRange("*-1\r\n"u8);

    public void WriteArrayHeader(int count) => Line('*', count);

    public void WriteMapHeader(int pairs) => Line('*', pairs * 2L);

    public void WriteSetHeader(int count) => Line('*', count);

    public void WriteDouble(double value) => WriteBulk(Encoding.ASCII.GetBytes(value.ToString("R", CultureInfo.InvariantCulture)));

    public void WriteVerbatim(ReadOnlySpan<byte> format, ReadOnlySpan<byte> text) => WriteBulk(text);

    private void Line(char prefix, long value) => Line(prefix, Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

    private void Line(char prefix, ReadOnlySpan<byte> text)
    {
        _bytes.Add((byte)prefix);
        _bytes.AddRange(text);
        _bytes.AddRange("\r\n"u8);
    }
}
