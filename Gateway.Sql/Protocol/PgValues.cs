using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>
/// SQLite values to and from PostgreSQL's text and binary formats (PostgreSQL docs, "Data Types", and the
/// send/receive functions of each type). Timestamps are stored as ISO text, as SQLite's date functions expect.
/// </summary>
internal static class PgValues
{
    private static readonly DateTime PostgresEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Writes a DataRow field (length and bytes) for <paramref name="value"/> as <paramref name="type"/>.</summary>
    public static bool TryWrite(PgMessageBuffer output, in SqlValue value, PgType type, bool binary)
    {
        if (value.IsNull)
        {
            output.Int32(-1);
            return true;
        }
        var lengthAt = output.Position;
        output.Int32(0);
        var ok = binary ? TryWriteBinary(output, value, type) : WriteText(output, value, type);
        output.PatchInt32(lengthAt, output.Position - lengthAt - 4);
        return ok;
    }

    private static bool WriteText(PgMessageBuffer output, in SqlValue value, PgType type)
    {
        if (type.Oid == PgType.Bool.Oid)
        {
            output.Byte(Truthy(value) ? (byte)'t' : (byte)'f');
            return true;
        }
        if (type.Oid == PgType.Bytea.Oid || value.Kind == SqlStorageClass.Blob)
        {
            var bytes = value.Kind == SqlStorageClass.Blob ? value.Bytes : Encoding.UTF8.GetBytes(value.AsText()!);
            output.Bytes("\\x"u8);
            var hex = output.Reserve(bytes.Length * 2);
            Convert.TryToHexStringLower(bytes, hex, out var written);
            output.Advance(written);
            return true;
        }
        if (value.Kind == SqlStorageClass.Text)
        {
            output.Bytes(value.Bytes);
            return true;
        }
        if (value.Kind == SqlStorageClass.Real)
        {
            var d = value.Real;
            output.Bytes(Encoding.ASCII.GetBytes(double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : d.ToString("R", CultureInfo.InvariantCulture)));
            return true;
        }
        Span<byte> digits = stackalloc byte[24];
        value.Integer.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
        output.Bytes(digits[..n]);
        return true;
    }

    private static bool Truthy(in SqlValue value) => value.Kind switch
    {
        SqlStorageClass.Integer => value.Integer != 0,
        SqlStorageClass.Real => value.Real != 0,
        _ => value.AsText() is { } t && (t.Equals("t", StringComparison.OrdinalIgnoreCase) || t.Equals("true", StringComparison.OrdinalIgnoreCase) || t == "1"),
    };

    private static bool TryWriteBinary(PgMessageBuffer output, in SqlValue value, PgType type)
    {
        switch (type.Oid)
        {
            case 16:
                output.Byte(Truthy(value) ? (byte)1 : (byte)0);
                return true;
            case 20 or 21 or 23 or 26:
                if (!TryInteger(value, out var integer))
                {
                    return false;
                }
                if (type.Oid == 20)
                {
                    output.Bytes(BitConverter.IsLittleEndian ? BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(integer)) : BitConverter.GetBytes(integer));
                }
                else if (type.Oid == 21)
                {
                    output.Int16((short)integer);
                }
                else
                {
                    output.Int32((int)integer);
                }
                return true;
            case 700 or 701:
                if (!TryReal(value, out var real))
                {
                    return false;
                }
                if (type.Oid == 700)
                {
                    output.Int32(BitConverter.SingleToInt32Bits((float)real));
                }
                else
                {
                    var bits = BitConverter.DoubleToInt64Bits(real);
                    output.Int32((int)(bits >> 32));
                    output.Int32((int)bits);
                }
                return true;
            case 1700:
                return PgNumeric.TryEncode(value.AsText()!, output);
            case 17:
                output.Bytes(value.Kind is SqlStorageClass.Blob or SqlStorageClass.Text ? value.Bytes : Encoding.UTF8.GetBytes(value.AsText()!));
                return true;
            case 2950:
                if (!Guid.TryParse(value.Kind == SqlStorageClass.Blob && value.Bytes.Length == 16 ? new Guid(value.Bytes, bigEndian: true).ToString() : value.AsText(), out var guid))
                {
                    return false;
                }
                guid.TryWriteBytes(output.Reserve(16), bigEndian: true, out _);
                output.Advance(16);
                return true;
            case 1114 or 1184:
                if (!TryTimestamp(value, out var timestamp))
                {
                    return false;
                }
                var micros = (timestamp - PostgresEpoch).Ticks / 10;
                output.Int32((int)(micros >> 32));
                output.Int32((int)micros);
                return true;
            case 1082:
                if (!TryTimestamp(value, out var date))
                {
                    return false;
                }
                output.Int32((int)(date.Date - PostgresEpoch).TotalDays);
                return true;
            case 3802:
                output.Byte(1);
                output.Bytes(Encoding.UTF8.GetBytes(value.AsText()!));
                return true;
            default:
                if (value.Kind is SqlStorageClass.Text or SqlStorageClass.Blob)
                {
                    output.Bytes(value.Bytes);
                }
                else
                {
                    output.Bytes(Encoding.UTF8.GetBytes(value.AsText()!));
                }
                return true;
        }
    }

    private static bool TryInteger(in SqlValue value, out long integer)
    {
        switch (value.Kind)
        {
            case SqlStorageClass.Integer:
                integer = value.Integer;
                return true;
            case SqlStorageClass.Real:
                integer = (long)value.Real;
                return true;
            default:
                return long.TryParse(value.AsText(), NumberStyles.Integer, CultureInfo.InvariantCulture, out integer);
        }
    }

    private static bool TryReal(in SqlValue value, out double real)
    {
        switch (value.Kind)
        {
            case SqlStorageClass.Integer:
                real = value.Integer;
                return true;
            case SqlStorageClass.Real:
                real = value.Real;
                return true;
            default:
                return double.TryParse(value.AsText(), NumberStyles.Float, CultureInfo.InvariantCulture, out real);
        }
    }

    private static bool TryTimestamp(in SqlValue value, out DateTime timestamp)
    {
        if (value.Kind == SqlStorageClass.Integer)
        {
            // Unix seconds, as SQLite's unixepoch() stores them.
            timestamp = DateTime.UnixEpoch.AddSeconds(value.Integer);
            return true;
        }
        return DateTime.TryParse(value.AsText(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out timestamp);
    }

    /// <summary>
    /// A parameter from its wire form: <paramref name="oid"/> is the type the client declared (0 when it left it
    /// to the server, which then takes the text as it is).
    /// </summary>
    public static bool TryDecodeParameter(ReadOnlySpan<byte> data, uint oid, bool binary, out SqlValue value)
    {
        value = SqlValue.Null;
        if (!binary)
        {
            return TryDecodeText(data, oid, out value);
        }
        switch (oid)
        {
            case 16:
                if (data.Length != 1)
                {
                    return false;
                }
                value = SqlValue.FromInteger(data[0] != 0 ? 1 : 0);
                return true;
            case 21:
                if (data.Length != 2)
                {
                    return false;
                }
                value = SqlValue.FromInteger(BinaryPrimitives.ReadInt16BigEndian(data));
                return true;
            case 23 or 26:
                if (data.Length != 4)
                {
                    return false;
                }
                value = SqlValue.FromInteger(oid == 26 ? BinaryPrimitives.ReadUInt32BigEndian(data) : BinaryPrimitives.ReadInt32BigEndian(data));
                return true;
            case 20:
                if (data.Length != 8)
                {
                    return false;
                }
                value = SqlValue.FromInteger(BinaryPrimitives.ReadInt64BigEndian(data));
                return true;
            case 700:
                if (data.Length != 4)
                {
                    return false;
                }
                value = SqlValue.FromReal(BinaryPrimitives.ReadSingleBigEndian(data));
                return true;
            case 701:
                if (data.Length != 8)
                {
                    return false;
                }
                value = SqlValue.FromReal(BinaryPrimitives.ReadDoubleBigEndian(data));
                return true;
            case 1700:
                return PgNumeric.Decode(data) is { } number && TryDecodeText(Encoding.ASCII.GetBytes(number), oid, out value);
            case 17:
                value = SqlValue.FromBlob(data.ToArray());
                return true;
            case 2950:
                if (data.Length != 16)
                {
                    return false;
                }
                value = SqlValue.FromText(new Guid(data, bigEndian: true).ToString());
                return true;
            case 1114 or 1184:
                if (data.Length != 8)
                {
                    return false;
                }
                var micros = BinaryPrimitives.ReadInt64BigEndian(data);
                value = SqlValue.FromText(FormatTimestamp(PostgresEpoch.AddTicks(micros * 10), oid == 1184));
                return true;
            case 1082:
                if (data.Length != 4)
                {
                    return false;
                }
                value = SqlValue.FromText(PostgresEpoch.AddDays(BinaryPrimitives.ReadInt32BigEndian(data)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                return true;
            case 3802:
                if (data.Length < 1 || data[0] != 1)
                {
                    return false;
                }
                value = SqlValue.FromUtf8(data[1..].ToArray());
                return true;
            default:
                value = SqlValue.FromUtf8(data.ToArray());
                return true;
        }
    }

    private static bool TryDecodeText(ReadOnlySpan<byte> data, uint oid, out SqlValue value)
    {
        value = SqlValue.Null;
        switch (oid)
        {
            case 16:
                var b = Encoding.ASCII.GetString(data).Trim().ToLowerInvariant();
                if (b is "t" or "true" or "yes" or "on" or "1" or "f" or "false" or "no" or "off" or "0")
                {
                    value = SqlValue.FromInteger(b is "t" or "true" or "yes" or "on" or "1" ? 1 : 0);
                    return true;
                }
                return false;
            case 20 or 21 or 23 or 26:
                if (!long.TryParse(data, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
                {
                    return false;
                }
                value = SqlValue.FromInteger(integer);
                return true;
            case 700 or 701:
                if (!double.TryParse(data, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
                {
                    return false;
                }
                value = SqlValue.FromReal(real);
                return true;
            case 1700:
                // Whole numbers stay exact as integers; others become doubles (SQLite's NUMERIC affinity does the same).
                if (long.TryParse(data, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
                {
                    value = SqlValue.FromInteger(whole);
                    return true;
                }
                if (!double.TryParse(data, NumberStyles.Float, CultureInfo.InvariantCulture, out var fractional))
                {
                    return false;
                }
                value = SqlValue.FromReal(fractional);
                return true;
            case 17:
                if (data.Length >= 2 && data[0] == '\\' && data[1] == 'x')
                {
                    try
                    {
                        value = SqlValue.FromBlob(Convert.FromHexString(Encoding.ASCII.GetString(data[2..])));
                        return true;
                    }
                    catch (FormatException)
                    {
                        return false;
                    }
                }
                value = SqlValue.FromBlob(data.ToArray());
                return true;
            case 2950:
                if (!Guid.TryParse(Encoding.ASCII.GetString(data), out var guid))
                {
                    return false;
                }
                value = SqlValue.FromText(guid.ToString());
                return true;
            default:
                value = SqlValue.FromUtf8(data.ToArray());
                return true;
        }
    }

    /// <summary>A timestamp as PostgreSQL prints it: "2024-01-02 03:04:05.123456", fraction trimmed, "+00:00" for timestamptz.</summary>
    public static string FormatTimestamp(DateTime value, bool withZone)
    {
        var text = value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return withZone ? text + "+00:00" : text;
    }
}
