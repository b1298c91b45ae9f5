using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>Argument parsing with Redis' rules, so the same input is accepted or refused as redis-server does.</summary>
internal static class Args
{
    /// <summary>
    /// Redis' string2ll: optional '-', no '+', no spaces, no leading zeros (but "0"), at most 20 characters,
    /// and the value must fit in 64 bits.
    /// </summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20)
        {
            return false;
        }
        if (s.Length == 1 && s[0] == (byte)'0')
        {
            return true;
        }
        var negative = s[0] == (byte)'-';
        var p = negative ? 1 : 0;
        if (p >= s.Length || s[p] < (byte)'1' || s[p] > (byte)'9')
        {
            return false;
        }
        ulong v = 0;
        for (; p < s.Length; p++)
        {
            var d = s[p] - (byte)'0';
            if ((uint)d > 9)
            {
                return false;
            }
            if (v > (ulong.MaxValue - (ulong)d) / 10)
            {
                return false;
            }
            v = v * 10 + (ulong)d;
        }
        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
            {
                return false;
            }
            value = (long)(0 - v);
            return true;
        }
        if (v > long.MaxValue)
        {
            return false;
        }
        value = (long)v;
        return true;
    }

    /// <summary>Like <see cref="TryParseInt64"/> but for a 32-bit int (getIntFromObject).</summary>
    public static bool TryParseInt32(ReadOnlySpan<byte> s, out int value)
    {
        if (TryParseInt64(s, out var v) && v is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)v;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>
    /// Redis' string2d: the whole string is a number strtod accepts (inf, -inf included), no leading
    /// space, not NaN, not out of range.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 5 * 1024 || IsSpace(s[0]) || IsSpace(s[^1]))
        {
            return false;
        }
        if (TryParseInfinity(s, out value))
        {
            return true;
        }
        Span<char> chars = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            chars[i] = (char)s[i];
        }
        if (!double.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }
        return !double.IsNaN(value) && !double.IsInfinity(value);
    }

    /// <summary>Parses a decimal exactly when it fits System.Decimal (for INCRBYFLOAT's long-double-like results).</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out decimal value)
    {
        value = 0;
        if (s.IndexOfAny((byte)'e', (byte)'E') >= 0)
        {
            return false;
        }
        return Utf8Parser.TryParse(s, out value, out var consumed) && consumed == s.Length;
    }

    private static bool TryParseInfinity(ReadOnlySpan<byte> s, out double value)
    {
        var sign = 1.0;
        var body = s;
        if (body.Length > 0 && (body[0] == (byte)'+' || body[0] == (byte)'-'))
        {
            sign = body[0] == (byte)'-' ? -1 : 1;
            body = body[1..];
        }
        if (Ascii.EqualsIgnoreCase(body, "inf"u8) || Ascii.EqualsIgnoreCase(body, "infinity"u8))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }
        value = 0;
        return false;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    /// <summary>Case-insensitive match of an option keyword.</summary>
    public static bool Is(ReadOnlySpan<byte> arg, ReadOnlySpan<byte> keyword) => Ascii.EqualsIgnoreCase(arg, keyword);

    /// <summary>Formats an integer in decimal ASCII; returns the length.</summary>
    public static int Format(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}
