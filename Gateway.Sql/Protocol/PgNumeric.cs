using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>
/// numeric's binary form: int16 ndigits, int16 weight, int16 sign (0x0000, 0x4000 negative, 0xC000 NaN), int16
/// dscale, then ndigits base-10000 digits, the first worth 10000^weight.
/// </summary>
internal static class PgNumeric
{
    private const ushort Negative = 0x4000;
    private const ushort NaN = 0xC000;

    /// <summary>Writes the decimal number <paramref name="text"/> (digits, optional sign, point and exponent) in binary form.</summary>
    public static bool TryEncode(string text, PgMessageBuffer output)
    {
        if (text.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            Header(output, 0, 0, NaN, 0);
            return true;
        }
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
            {
                return false;
            }
            value = (decimal)d;
        }
        var plain = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
        var point = plain.IndexOf('.');
        var whole = point < 0 ? plain : plain[..point];
        var fraction = point < 0 ? "" : plain[(point + 1)..];
        var dscale = fraction.Length;
        whole = whole.TrimStart('0');
        // Pad to whole groups of four digits on both sides of the point.
        var wholePadded = new string('0', (4 - whole.Length % 4) % 4) + whole;
        var fractionPadded = fraction + new string('0', (4 - fraction.Length % 4) % 4);
        var digits = new List<short>();
        for (var i = 0; i < wholePadded.Length; i += 4)
        {
            digits.Add(short.Parse(wholePadded.AsSpan(i, 4), CultureInfo.InvariantCulture));
        }
        var weight = digits.Count - 1;
        for (var i = 0; i < fractionPadded.Length; i += 4)
        {
            digits.Add(short.Parse(fractionPadded.AsSpan(i, 4), CultureInfo.InvariantCulture));
        }
        var start = 0;
        while (start < digits.Count && digits[start] == 0)
        {
            start++;
            weight--;
        }
        var end = digits.Count;
        while (end > start && digits[end - 1] == 0)
        {
            end--;
        }
        if (start == end)
        {
            weight = 0;
        }
        Header(output, (short)(end - start), (short)weight, value < 0 ? Negative : (ushort)0, (short)dscale);
        for (var i = start; i < end; i++)
        {
            output.Int16(digits[i]);
        }
        return true;
    }

    private static void Header(PgMessageBuffer output, short ndigits, short weight, ushort sign, short dscale)
    {
        output.Int16(ndigits);
        output.Int16(weight);
        output.Int16((short)sign);
        output.Int16(dscale);
    }

    private const ushort PositiveInfinity = 0xD000;
    private const ushort NegativeInfinity = 0xF000;

    /// <summary>
    /// The decimal text of a binary numeric in <paramref name="text"/>, or PostgreSQL's error for a malformed one
    /// (numeric_recv: a short value is 08P01, a bad sign, digit or scale 22P03).
    /// </summary>
    public static SqlError? Decode(ReadOnlySpan<byte> data, out string text)
    {
        text = "";
        if (data.Length < 8)
        {
            return new SqlError(SqlStates.ProtocolViolation, "insufficient data left in message");
        }
        var ndigits = BinaryPrimitives.ReadInt16BigEndian(data);
        var weight = BinaryPrimitives.ReadInt16BigEndian(data[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        var dscale = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (ndigits < 0 || data.Length < 8 + ndigits * 2)
        {
            return new SqlError(SqlStates.ProtocolViolation, "insufficient data left in message");
        }
        if (data.Length > 8 + ndigits * 2)
        {
            return new SqlError(SqlStates.InvalidBinaryRepresentation, "incorrect binary data format");
        }
        if (sign is not (0 or Negative or NaN or PositiveInfinity or NegativeInfinity))
        {
            return new SqlError(SqlStates.InvalidBinaryRepresentation, "invalid sign in external \"numeric\" value");
        }
        if ((dscale & 0xC000) != 0)
        {
            return new SqlError(SqlStates.InvalidBinaryRepresentation, "invalid scale in external \"numeric\" value");
        }
        for (var i = 0; i < ndigits; i++)
        {
            if (BinaryPrimitives.ReadInt16BigEndian(data[(8 + i * 2)..]) is < 0 or > 9999)
            {
                return new SqlError(SqlStates.InvalidBinaryRepresentation, "invalid digit in external \"numeric\" value");
            }
        }
        switch (sign)
        {
            case NaN:
                text = "NaN";
                return null;
            case PositiveInfinity:
                text = "Infinity";
                return null;
            case NegativeInfinity:
                text = "-Infinity";
                return null;
        }
        var whole = new StringBuilder();
        var fraction = new StringBuilder();
        for (var group = 0; group <= Math.Max(weight, (short)0) || group < ndigits; group++)
        {
            var digit = group < ndigits ? BinaryPrimitives.ReadInt16BigEndian(data[(8 + group * 2)..]) : (short)0;
            var position = weight - group;
            var group4 = digit.ToString("D4", CultureInfo.InvariantCulture);
            if (position >= 0)
            {
                whole.Append(group4);
            }
            else
            {
                if (position < -1 && fraction.Length == 0)
                {
                    fraction.Append('0', (-position - 1) * 4);
                }
                fraction.Append(group4);
            }
            if (group >= ndigits - 1 && position <= 0)
            {
                break;
            }
        }
        var wholeText = whole.ToString().TrimStart('0');
        var fractionText = fraction.ToString();
        fractionText = fractionText.Length > dscale ? fractionText[..dscale] : fractionText.PadRight(dscale, '0');
        var result = (wholeText.Length == 0 ? "0" : wholeText) + (fractionText.Length > 0 ? "." + fractionText : "");
        text = sign == Negative ? "-" + result : result;
        return null;
    }
}
