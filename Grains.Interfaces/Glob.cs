namespace IceFire.Grains.Interfaces;

/// <summary>
/// Redis' glob matching (KEYS, SCAN MATCH): <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a]</c>, <c>[a-z]</c>
/// and <c>\</c> escapes, byte by byte, with the same answers for malformed patterns.
/// </summary>
public static class Glob
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        var skipLongerMatches = false;
        return Match(pattern, text, ignoreCase, ref skipLongerMatches, 0);
    }

    /// <summary>The literal bytes every match starts with (up to the first special character).</summary>
    public static ReadOnlySpan<byte> LiteralPrefix(ReadOnlySpan<byte> pattern)
    {
        var i = pattern.IndexOfAny("*?[\\"u8);
        return i < 0 ? pattern : pattern[..i];
    }

    private static bool Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, bool nocase, ref bool skipLongerMatches, int nesting)
    {
        // Redis bounds the recursion the same way, so a hostile pattern costs bounded stack.
        if (nesting > 1000)
        {
            return false;
        }
        while (p.Length > 0 && s.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == (byte)'*')
                    {
                        p = p[1..];
                    }
                    if (p.Length == 1)
                    {
                        return true;
                    }
                    while (s.Length > 0)
                    {
                        if (Match(p[1..], s, nocase, ref skipLongerMatches, nesting + 1))
                        {
                            return true;
                        }
                        if (skipLongerMatches)
                        {
                            return false;
                        }
                        s = s[1..];
                    }
                    // No tail of the text matched the rest of the pattern; longer texts will not either.
                    skipLongerMatches = true;
                    return false;
                case (byte)'?':
                    s = s[1..];
                    break;
                case (byte)'[':
                {
                    p = p[1..];
                    var not = p.Length > 0 && p[0] == (byte)'^';
                    if (not)
                    {
                        p = p[1..];
                    }
                    var match = false;
                    while (true)
                    {
                        if (p.Length == 0)
                        {
                            break;
                        }
                        if (p[0] == (byte)'\\' && p.Length >= 2)
                        {
                            p = p[1..];
                            if (Same(p[0], s[0], nocase))
                            {
                                match = true;
                            }
                        }
                        else if (p[0] == (byte)']')
                        {
                            break;
                        }
                        else if (p.Length >= 3 && p[1] == (byte)'-')
                        {
                            int start = p[0], end = p[2];
                            if (start > end)
                            {
                                (start, end) = (end, start);
                            }
                            p = p[2..];
                            int c = nocase ? Lower(s[0]) : s[0];
                            if (nocase)
                            {
                                start = Lower((byte)start);
                                end = Lower((byte)end);
                            }
                            if (c >= start && c <= end)
                            {
                                match = true;
                            }
                        }
                        else if (Same(p[0], s[0], nocase))
                        {
                            match = true;
                        }
                        p = p[1..];
                    }
                    if (not)
                    {
                        match = !match;
                    }
                    if (!match)
                    {
                        return false;
                    }
                    s = s[1..];
                    if (p.Length == 0)
                    {
                        // Unterminated set: Redis steps back so the loop's advance lands at the end.
                        return s.Length == 0;
                    }
                    break;
                }
                case (byte)'\\':
                    if (p.Length >= 2)
                    {
                        p = p[1..];
                    }
                    if (!Same(p[0], s[0], nocase))
                    {
                        return false;
                    }
                    s = s[1..];
                    break;
                default:
                    if (!Same(p[0], s[0], nocase))
                    {
                        return false;
                    }
                    s = s[1..];
                    break;
            }
            p = p[1..];
            if (s.Length == 0)
            {
                while (p.Length > 0 && p[0] == (byte)'*')
                {
                    p = p[1..];
                }
                break;
            }
        }
        return p.Length == 0 && s.Length == 0;
    }

    private static bool Same(byte a, byte b, bool nocase) => a == b || (nocase && Lower(a) == Lower(b));

    private static int Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b;
}
