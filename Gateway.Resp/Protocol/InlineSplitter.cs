namespace IceFire.Gateway.Resp.Protocol;

/// <summary>
/// Splits an inline command line the way Redis' sdssplitargs does: spaces separate arguments;
/// "double quotes" allow \n \r \t \b \a \\ \" and \xHH escapes; 'single quotes' allow \'; a closing
/// quote must be followed by a space or the end of the line.
/// </summary>
internal static class InlineSplitter
{
    public static bool TrySplit(ReadOnlyMemory<byte> line, ArgumentList args)
    {
        var s = line.Span;
        var i = 0;
        while (true)
        {
            while (i < s.Length && IsSpace(s[i]))
            {
                i++;
            }
            if (i >= s.Length)
            {
                return true;
            }
            if (s[i] != (byte)'"' && s[i] != (byte)'\'')
            {
                // A plain word is a slice of the line, no copy. A quote inside it starts quoting as in Redis,
                // so take the general path when one appears.
                var start = i;
                while (i < s.Length && !IsSpace(s[i]) && s[i] != (byte)'"' && s[i] != (byte)'\'')
                {
                    i++;
                }
                if (i >= s.Length || IsSpace(s[i]))
                {
                    args.Add(line[start..i]);
                    continue;
                }
                i = start;
            }
            if (!TryReadQuoted(s, ref i, out var word))
            {
                return false;
            }
            args.Add(word);
        }
    }

    private static bool TryReadQuoted(ReadOnlySpan<byte> s, ref int i, out byte[] word)
    {
        var current = new List<byte>();
        var inDouble = false;
        var inSingle = false;
        word = [];
        while (true)
        {
            if (inDouble)
            {
                if (i >= s.Length)
                {
                    return false;
                }
                if (s[i] == (byte)'\\' && i + 3 < s.Length && s[i + 1] == (byte)'x' && IsHex(s[i + 2]) && IsHex(s[i + 3]))
                {
                    current.Add((byte)(HexValue(s[i + 2]) * 16 + HexValue(s[i + 3])));
                    i += 3;
                }
                else if (s[i] == (byte)'\\' && i + 1 < s.Length)
                {
                    i++;
                    current.Add(s[i] switch
                    {
                        (byte)'n' => (byte)'\n',
                        (byte)'r' => (byte)'\r',
                        (byte)'t' => (byte)'\t',
                        (byte)'b' => (byte)'\b',
                        (byte)'a' => (byte)'\a',
                        var c => c,
                    });
                }
                else if (s[i] == (byte)'"')
                {
                    if (i + 1 < s.Length && !IsSpace(s[i + 1]))
                    {
                        return false;
                    }
                    i++;
                    break;
                }
                else
                {
                    current.Add(s[i]);
                }
            }
            else if (inSingle)
            {
                if (i >= s.Length)
                {
                    return false;
                }
                if (s[i] == (byte)'\\' && i + 1 < s.Length && s[i + 1] == (byte)'\'')
                {
                    i++;
                    current.Add((byte)'\'');
                }
                else if (s[i] == (byte)'\'')
                {
                    if (i + 1 < s.Length && !IsSpace(s[i + 1]))
                    {
                        return false;
                    }
                    i++;
                    break;
                }
                else
                {
                    current.Add(s[i]);
                }
            }
            else
            {
                if (i >= s.Length || IsSpace(s[i]))
                {
                    break;
                }
                if (s[i] == (byte)'"')
                {
                    inDouble = true;
                }
                else if (s[i] == (byte)'\'')
                {
                    inSingle = true;
                }
                else
                {
                    current.Add(s[i]);
                }
            }
            i++;
        }
        word = current.ToArray();
        return true;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= (byte)'9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
