using System.Globalization;

namespace IceFire.Grains.Interfaces;

/// <summary>How Redis 7.0 prints a double, for replies and for the scores ZSCAN returns as strings.</summary>
public static class RedisDouble
{
    /// <summary>Room <see cref="Format"/> can need.</summary>
    public const int MaxLength = 32;

    /// <summary>
    /// printf's "%.17g" (so 1.1 reads back as 1.1000000000000001), with inf and -inf spelled out; returns the
    /// number of bytes written to <paramref name="destination"/>.
    /// </summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsPositiveInfinity(value))
        {
            "inf"u8.CopyTo(destination);
            return 3;
        }
        if (double.IsNegativeInfinity(value))
        {
            "-inf"u8.CopyTo(destination);
            return 4;
        }
        var text = value.ToString("G17", CultureInfo.InvariantCulture);
        var length = 0;
        var e = text.IndexOf('E');
        if (e < 0)
        {
            foreach (var c in text)
            {
                destination[length++] = (byte)c;
            }
            return length;
        }
        // C prints the exponent as e+NN / e-NN with at least two digits.
        for (var i = 0; i < e; i++)
        {
            destination[length++] = (byte)text[i];
        }
        destination[length++] = (byte)'e';
        var sign = text[e + 1] == '-' ? '-' : '+';
        destination[length++] = (byte)sign;
        var digits = text.AsSpan(e + (text[e + 1] is '-' or '+' ? 2 : 1)).TrimStart('0');
        if (digits.Length < 2)
        {
            destination[length++] = (byte)'0';
        }
        if (digits.Length == 0)
        {
            destination[length++] = (byte)'0';
        }
        foreach (var c in digits)
        {
            destination[length++] = (byte)c;
        }
        return length;
    }
}
