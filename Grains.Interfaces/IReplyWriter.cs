namespace IceFire.Grains.Interfaces;

/// <summary>Which RESP dialect a connection speaks (HELLO 2 or HELLO 3).</summary>
public enum RespProtocol
{
    Resp2 = 2,
    Resp3 = 3,
}

/// <summary>
/// Where a command writes its reply. The gateway's implementation renders RESP2 or RESP3; a replica
/// that applies a command without a client behind it writes to a sink. Not thread-safe: one command
/// writes at a time. Spans passed in are copied before the call returns.
/// </summary>
public interface IReplyWriter
{
    /// <summary>The dialect, for the few replies whose shape differs beyond framing.</summary>
    RespProtocol Protocol { get; }

    /// <summary>Writes a complete, pre-rendered frame (for example an error constant from <see cref="Errors"/>).</summary>
    void WriteRaw(ReadOnlySpan<byte> frame);

    /// <summary>Writes <c>+text</c>; the text must not contain CR or LF.</summary>
    void WriteSimpleString(ReadOnlySpan<byte> text);

    /// <summary>Writes <c>-message</c>; CR and LF in the message become spaces, as Redis does.</summary>
    void WriteError(ReadOnlySpan<byte> message);

    void WriteInteger(long value);

    void WriteBulk(ReadOnlySpan<byte> value);

    /// <summary>A missing value: <c>$-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    void WriteNull();

    /// <summary>A missing aggregate: <c>*-1</c> in RESP2, <c>_</c> in RESP3.</summary>
    void WriteNullArray();

    void WriteArrayHeader(int count);

    /// <summary>A map of <paramref name="pairs"/> entries: <c>%</c> in RESP3, a flat array in RESP2.</summary>
    void WriteMapHeader(int pairs);

    /// <summary>A set: <c>~</c> in RESP3, an array in RESP2.</summary>
    void WriteSetHeader(int count);

    /// <summary>A double: <c>,</c> in RESP3, a bulk string in RESP2, formatted as Redis does.</summary>
    void WriteDouble(double value);

    /// <summary>Bytes written so far; with <see cref="Rewind"/>, lets a write batch that must run again drop its replies.</summary>
    long Position { get; }

    /// <summary>Drops everything written after <paramref name="position"/>.</summary>
    void Rewind(long position);

    /// <summary>A verbatim string: <c>=</c> with the format in RESP3, a bulk string in RESP2.</summary>
    void WriteVerbatim(ReadOnlySpan<byte> format, ReadOnlySpan<byte> text);
}
