namespace IceFire.Gateway.Resp.Protocol;

/// <summary>What one parse step found.</summary>
internal enum ParseStatus
{
    /// <summary>A whole command was parsed (possibly with no arguments: an empty inline line or <c>*0</c>).</summary>
    Complete,

    /// <summary>The buffer ends inside a command; <c>needed</c> says how many bytes the frame needs at least.</summary>
    Incomplete,

    /// <summary>The input breaks the protocol; the connection gets the error and is closed, as Redis does.</summary>
    Error,
}

/// <summary>Limits Redis applies while parsing (server.proto_max_bulk_len and friends).</summary>
internal sealed record RespLimits
{
    /// <summary>proto-max-bulk-len: the largest bulk string.</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>Largest argument count of one command.</summary>
    public int MaxMultibulkLength { get; init; } = int.MaxValue;

    /// <summary>PROTO_INLINE_MAX_SIZE: longest line without a newline (inline command or length header).</summary>
    public int MaxInlineSize { get; init; } = 64 * 1024;

    /// <summary>Redis' limits before AUTH: a client that has not authenticated cannot make the server buffer much.</summary>
    public int UnauthenticatedMaxMultibulk { get; init; } = 10;

    public long UnauthenticatedMaxBulk { get; init; } = 16384;
}

/// <summary>
/// Parses RESP requests in place: multibulk (<c>*N</c> then <c>$len</c> bulk strings) and inline commands.
/// Arguments are slices of the input memory (no copies). The parser keeps no state between calls: a frame
/// that is not whole in the input goes to the connection's <see cref="PartialRequest"/>, which keeps what it
/// parsed and carries on from there as bytes arrive.
/// </summary>
internal static class RespParser
{
    public static ReadOnlySpan<byte> ErrTooBigMbulkCount => "-ERR Protocol error: too big mbulk count string\r\n"u8;
    public static ReadOnlySpan<byte> ErrInvalidMultibulk => "-ERR Protocol error: invalid multibulk length\r\n"u8;
    public static ReadOnlySpan<byte> ErrTooBigBulkCount => "-ERR Protocol error: too big bulk count string\r\n"u8;
    public static ReadOnlySpan<byte> ErrInvalidBulk => "-ERR Protocol error: invalid bulk length\r\n"u8;
    public static ReadOnlySpan<byte> ErrTooBigInline => "-ERR Protocol error: too big inline request\r\n"u8;
    public static ReadOnlySpan<byte> ErrUnbalancedQuotes => "-ERR Protocol error: unbalanced quotes in request\r\n"u8;
    public static ReadOnlySpan<byte> ErrUnauthenticatedMultibulk => "-ERR Protocol error: unauthenticated multibulk length\r\n"u8;
    public static ReadOnlySpan<byte> ErrUnauthenticatedBulk => "-ERR Protocol error: unauthenticated bulk length\r\n"u8;

    /// <summary>
    /// Parses one command from the start of <paramref name="input"/>. On <see cref="ParseStatus.Complete"/>,
    /// <paramref name="args"/> holds the arguments and <paramref name="consumed"/> the frame's length.
    /// On <see cref="ParseStatus.Error"/>, <paramref name="error"/> is the complete reply frame to send.
    /// </summary>
    public static ParseStatus TryParse(ReadOnlyMemory<byte> input, ArgumentList args, RespLimits limits, bool authenticated,
        out int consumed, out long needed, out byte[]? error)
    {
        consumed = 0;
        needed = 0;
        error = null;
        args.Clear();
        var span = input.Span;
        if (span.IsEmpty)
        {
            needed = 1;
            return ParseStatus.Incomplete;
        }
        return span[0] == (byte)'*'
            ? ParseMultibulk(input, args, limits, authenticated, out consumed, out needed, out error)
            : ParseInline(input, args, limits, out consumed, out needed, out error);
    }

    private static ParseStatus ParseMultibulk(ReadOnlyMemory<byte> input, ArgumentList args, RespLimits limits, bool authenticated,
        out int consumed, out long needed, out byte[]? error)
    {
        var span = input.Span;
        consumed = 0;
        needed = 0;
        error = null;
        var newline = span.IndexOf((byte)'\r');
        if (newline < 0 || newline + 1 >= span.Length)
        {
            if (span.Length > limits.MaxInlineSize)
            {
                error = ErrTooBigMbulkCount.ToArray();
                return ParseStatus.Error;
            }
            needed = span.Length + 1;
            return ParseStatus.Incomplete;
        }
        if (CheckMultibulkCount(span[1..newline], limits, authenticated, out var count, out error) == ParseStatus.Error)
        {
            return ParseStatus.Error;
        }
        var pos = newline + 2;
        if (count <= 0)
        {
            consumed = pos;
            return ParseStatus.Complete;
        }
        for (var i = 0; i < count; i++)
        {
            if (pos >= span.Length)
            {
                needed = pos + 1;
                return ParseStatus.Incomplete;
            }
            if (span[pos] != (byte)'$')
            {
                error = ExpectedDollar(span[pos]);
                return ParseStatus.Error;
            }
            var rest = span[pos..];
            var lineEnd = rest.IndexOf((byte)'\r');
            if (lineEnd < 0 || lineEnd + 1 >= rest.Length)
            {
                if (rest.Length > limits.MaxInlineSize)
                {
                    error = ErrTooBigBulkCount.ToArray();
                    return ParseStatus.Error;
                }
                needed = span.Length + 1;
                return ParseStatus.Incomplete;
            }
            if (CheckBulkLength(rest[1..lineEnd], limits, authenticated, out var length, out error) == ParseStatus.Error)
            {
                return ParseStatus.Error;
            }
            var dataStart = pos + lineEnd + 2;
            // Redis skips the two bytes after the data without looking at them; so does this parser.
            var frameEnd = dataStart + length + 2;
            if (frameEnd > span.Length)
            {
                needed = frameEnd;
                return ParseStatus.Incomplete;
            }
            args.Add(input.Slice(dataStart, (int)length));
            pos = (int)frameEnd;
        }
        consumed = pos;
        return ParseStatus.Complete;
    }

    private static ParseStatus ParseInline(ReadOnlyMemory<byte> input, ArgumentList args, RespLimits limits,
        out int consumed, out long needed, out byte[]? error)
    {
        var span = input.Span;
        consumed = 0;
        needed = 0;
        error = null;
        var newline = span.IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (span.Length > limits.MaxInlineSize)
            {
                error = ErrTooBigInline.ToArray();
                return ParseStatus.Error;
            }
            needed = span.Length + 1;
            return ParseStatus.Incomplete;
        }
        var line = input[..newline];
        if (line.Length > 0 && line.Span[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        consumed = newline + 1;
        if (!InlineSplitter.TrySplit(line, args))
        {
            error = ErrUnbalancedQuotes.ToArray();
            return ParseStatus.Error;
        }
        return ParseStatus.Complete;
    }

    /// <summary>
    /// Checks a multibulk header's count as Redis' processMultibulkBuffer does: not a number or above the limit is an
    /// invalid length; more than 10 arguments before AUTH is the unauthenticated error.
    /// </summary>
    internal static ParseStatus CheckMultibulkCount(ReadOnlySpan<byte> digits, RespLimits limits, bool authenticated, out long count, out byte[]? error)
    {
        error = null;
        if (!TryParseLength(digits, out count) || count > int.MaxValue || count > limits.MaxMultibulkLength)
        {
            error = ErrInvalidMultibulk.ToArray();
            return ParseStatus.Error;
        }
        if (!authenticated && count > limits.UnauthenticatedMaxMultibulk)
        {
            error = ErrUnauthenticatedMultibulk.ToArray();
            return ParseStatus.Error;
        }
        return ParseStatus.Complete;
    }

    /// <summary>
    /// Checks a bulk header's length: not a number, negative or above proto-max-bulk-len is an invalid length; more
    /// than 16 KB before AUTH is the unauthenticated error.
    /// </summary>
    internal static ParseStatus CheckBulkLength(ReadOnlySpan<byte> digits, RespLimits limits, bool authenticated, out long length, out byte[]? error)
    {
        error = null;
        if (!TryParseLength(digits, out length) || length < 0 || length > limits.MaxBulkLength)
        {
            error = ErrInvalidBulk.ToArray();
            return ParseStatus.Error;
        }
        if (!authenticated && length > limits.UnauthenticatedMaxBulk)
        {
            error = ErrUnauthenticatedBulk.ToArray();
            return ParseStatus.Error;
        }
        return ParseStatus.Complete;
    }

    internal static byte[] ExpectedDollar(byte got) =>
        System.Text.Encoding.ASCII.GetBytes($"-ERR Protocol error: expected '$', got '{Printable(got)}'\r\n");

    /// <summary>Redis' string2ll for length headers.</summary>
    private static bool TryParseLength(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
        {
            return false;
        }
        var negative = s[0] == (byte)'-';
        var i = negative ? 1 : 0;
        if (i == s.Length)
        {
            return false;
        }
        if (s.Length - i > 1 && s[i] == (byte)'0')
        {
            return false;
        }
        long v = 0;
        for (; i < s.Length; i++)
        {
            var d = s[i] - (byte)'0';
            if ((uint)d > 9 || v > (long.MaxValue - d) / 10)
            {
                return false;
            }
            v = v * 10 + d;
        }
        value = negative ? -v : v;
        return true;
    }

    private static string Printable(byte b) => b is >= 32 and < 127 ? ((char)b).ToString() : ((char)b).ToString();
}
