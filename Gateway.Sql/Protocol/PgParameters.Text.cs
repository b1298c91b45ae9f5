using System.Globalization;
using System.Text;
using System.Text.Json;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>Text-format parameters, checked as each type's input function checks them.</summary>
internal static partial class PgParameters
{
    private static SqlError? DecodeText(ReadOnlySpan<byte> data, uint oid, out SqlValue value)
    {
        value = SqlValue.Null;
        if (InvalidUtf8At(data) is var bad and >= 0)
        {
            return new SqlError(SqlStates.CharacterNotInRepertoire, $"invalid byte sequence for encoding \"UTF8\": 0x{data[bad]:x2}");
        }
        switch (oid)
        {
            case 16:
                var word = Encoding.UTF8.GetString(data).Trim().ToLowerInvariant();
                if (word.Length > 0 && ("true".StartsWith(word, StringComparison.Ordinal) || "yes".StartsWith(word, StringComparison.Ordinal) || word is "on" or "1"))
                {
                    value = SqlValue.FromInteger(1);
                    return null;
                }
                if (word.Length > 0 && ("false".StartsWith(word, StringComparison.Ordinal) || "no".StartsWith(word, StringComparison.Ordinal) || word is "off" or "of" or "0"))
                {
                    value = SqlValue.FromInteger(0);
                    return null;
                }
                return Syntax("boolean", data);
            case 20 or 21 or 23 or 26:
                return Integer(data, oid, out value);
            case 700 or 701:
                return Float(data, oid == 700, out value);
            case 1700:
                // Whole numbers stay exact as integers; others become doubles (SQLite's NUMERIC affinity does the same).
                if (long.TryParse(data, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
                {
                    value = SqlValue.FromInteger(whole);
                    return null;
                }
                if (!TryDouble(data, out var fractional))
                {
                    return Syntax("numeric", data);
                }
                value = SqlValue.FromReal(fractional);
                return null;
            case 17:
                return Bytea(data, out value);
            case 2950:
                if (!Guid.TryParse(Encoding.UTF8.GetString(data), out var guid))
                {
                    return Syntax("uuid", data);
                }
                value = SqlValue.FromText(guid.ToString());
                return null;
            case 114 or 3802:
                if (!IsJson(data))
                {
                    return new SqlError(SqlStates.InvalidTextRepresentation, $"invalid input syntax for type {(oid == 114 ? "json" : "jsonb")}");
                }
                value = SqlValue.FromUtf8(data.ToArray());
                return null;
            default:
                value = SqlValue.FromUtf8(data.ToArray());
                return null;
        }
    }

    private static SqlError Syntax(string type, ReadOnlySpan<byte> data) =>
        new(SqlStates.InvalidTextRepresentation, $"invalid input syntax for type {type}: \"{Encoding.UTF8.GetString(data)}\"");

    private static SqlError? Integer(ReadOnlySpan<byte> data, uint oid, out SqlValue value)
    {
        value = SqlValue.Null;
        var (min, max) = oid switch
        {
            21 => (short.MinValue, short.MaxValue),
            23 => (int.MinValue, int.MaxValue),
            26 => (int.MinValue, (long)uint.MaxValue),
            _ => (long.MinValue, long.MaxValue),
        };
        if (long.TryParse(data, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer) && integer >= min && integer <= max)
        {
            // PostgreSQL's oid input takes negative numbers as their unsigned 32-bit pattern.
            value = SqlValue.FromInteger(oid == 26 && integer < 0 ? (uint)(int)integer : integer);
            return null;
        }
        var text = Encoding.UTF8.GetString(data).Trim();
        var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        if (digits.Length > 0 && digits.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
        {
            return new SqlError(SqlStates.NumericValueOutOfRange, $"value \"{text}\" is out of range for type {TypeName(oid)}");
        }
        return Syntax(TypeName(oid), data);
    }

    private static SqlError? Float(ReadOnlySpan<byte> data, bool single, out SqlValue value)
    {
        value = SqlValue.Null;
        var type = single ? "real" : "double precision";
        if (!TryDouble(data, out var real))
        {
            return Syntax(type, data);
        }
        var infinite = single ? float.IsInfinity((float)real) : double.IsInfinity(real);
        if (infinite && data.IndexOf("inf"u8) < 0 && data.IndexOf("Inf"u8) < 0 && data.IndexOf("INF"u8) < 0)
        {
            return new SqlError(SqlStates.NumericValueOutOfRange, $"\"{Encoding.UTF8.GetString(data).Trim()}\" is out of range for type {type}");
        }
        value = SqlValue.FromReal(single ? (float)real : real);
        return null;
    }

    /// <summary>A double as PostgreSQL's float input reads it: decimal or exponent notation, NaN, [+-]Infinity or inf.</summary>
    private static bool TryDouble(ReadOnlySpan<byte> data, out double real)
    {
        var text = Encoding.UTF8.GetString(data).Trim();
        switch (text.ToLowerInvariant())
        {
            case "infinity" or "+infinity" or "inf" or "+inf":
                real = double.PositiveInfinity;
                return true;
            case "-infinity" or "-inf":
                real = double.NegativeInfinity;
                return true;
            case "nan":
                real = double.NaN;
                return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out real) && !text.Contains('∞', StringComparison.Ordinal);
    }

    /// <summary>bytea's input: \x and hex digits (whitespace between pairs allowed), or the escape format (\\ and \ooo).</summary>
    private static SqlError? Bytea(ReadOnlySpan<byte> data, out SqlValue value)
    {
        value = SqlValue.Null;
        var bytes = new List<byte>(data.Length);
        if (data.StartsWith("\\x"u8))
        {
            for (var i = 2; i < data.Length;)
            {
                if (data[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
                {
                    i++;
                    continue;
                }
                var high = HexDigit(data[i]);
                if (high < 0)
                {
                    return BadHexDigit(data[i..]);
                }
                if (i + 1 >= data.Length)
                {
                    return new SqlError(SqlStates.InvalidParameterValue, "invalid hexadecimal data: odd number of digits");
                }
                var low = HexDigit(data[i + 1]);
                if (low < 0)
                {
                    return BadHexDigit(data[(i + 1)..]);
                }
                bytes.Add((byte)(high * 16 + low));
                i += 2;
            }
        }
        else
        {
            for (var i = 0; i < data.Length;)
            {
                if (data[i] != '\\')
                {
                    bytes.Add(data[i++]);
                }
                else if (i + 1 < data.Length && data[i + 1] == '\\')
                {
                    bytes.Add((byte)'\\');
                    i += 2;
                }
                else if (i + 3 < data.Length && data[i + 1] is >= (byte)'0' and <= (byte)'3' && data[i + 2] is >= (byte)'0' and <= (byte)'7' && data[i + 3] is >= (byte)'0' and <= (byte)'7')
                {
                    bytes.Add((byte)((data[i + 1] - '0') * 64 + (data[i + 2] - '0') * 8 + (data[i + 3] - '0')));
                    i += 4;
                }
                else
                {
                    return new SqlError(SqlStates.InvalidTextRepresentation, "invalid input syntax for type bytea");
                }
            }
        }
        value = SqlValue.FromBlob([.. bytes]);
        return null;
    }

    /// <summary>
    /// PostgreSQL's error for the character starting <paramref name="rest"/> in bytea's hex format: 22023, naming the
    /// whole character (the text is valid UTF-8 by then).
    /// </summary>
    private static SqlError BadHexDigit(ReadOnlySpan<byte> rest)
    {
        System.Text.Rune.DecodeFromUtf8(rest, out _, out var length);
        return new SqlError(SqlStates.InvalidParameterValue, $"invalid hexadecimal digit: \"{Encoding.UTF8.GetString(rest[..Math.Max(length, 1)])}\"");
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool IsJson(ReadOnlySpan<byte> data)
    {
        try
        {
            var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 6400 });
            while (reader.Read())
            {
            }
            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The offset of the first byte that is not part of valid UTF-8 (a NUL counts, as in PostgreSQL), or -1.</summary>
    private static int InvalidUtf8At(ReadOnlySpan<byte> data)
    {
        if (System.Text.Unicode.Utf8.IsValid(data) && data.IndexOf((byte)0) < 0)
        {
            return -1;
        }
        var offset = 0;
        while (offset < data.Length)
        {
            if (System.Buffers.OperationStatus.Done != System.Text.Rune.DecodeFromUtf8(data[offset..], out var rune, out var consumed) || rune.Value == 0)
            {
                return offset;
            }
            offset += consumed;
        }
        return -1;
    }
}
