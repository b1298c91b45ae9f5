using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>
/// Bind parameters from PostgreSQL's text and binary formats (each type's input and receive function) to SQLite
/// values. A bad value costs its statement the SQLSTATE and message PostgreSQL answers, never the connection: a
/// binary value of the wrong length 08P01 or 22P03, text that is not the type 22P02, a number outside it 22003, a
/// date or timestamp outside what is stored 22008, bytes that are not UTF-8 22021.
/// </summary>
/// <remarks>
/// Dates and timestamps are stored as ISO text, as SQLite's date functions read them; their range is SQLite's
/// (years 1 to 9999), and PostgreSQL's infinities (int32 and int64 max and min) are stored as 'infinity' and
/// '-infinity'. Text-format dates and times are stored as the client sent them.
/// </remarks>
internal static partial class PgParameters
{
    private static readonly DateTime PostgresEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly long MinMicros = (DateTime.MinValue.Ticks - PostgresEpoch.Ticks) / 10;
    private static readonly long MaxMicros = (DateTime.MaxValue.Ticks - PostgresEpoch.Ticks) / 10;
    private static readonly int MinDays = (int)((DateTime.MinValue - PostgresEpoch).Ticks / TimeSpan.TicksPerDay);
    private static readonly int MaxDays = (int)((DateTime.MaxValue.Date - PostgresEpoch).Ticks / TimeSpan.TicksPerDay);
    private const long MicrosPerDay = 86_400_000_000;

    private static readonly SqlError Insufficient = new(SqlStates.ProtocolViolation, "insufficient data left in message");

    /// <summary>
    /// Parameter <paramref name="index"/> (0-based) from its wire form; <paramref name="oid"/> is the type the client
    /// declared, 0 when it left it to the server (the value is then taken as text). Null when it decoded.
    /// </summary>
    public static SqlError? Decode(ReadOnlySpan<byte> data, uint oid, bool binary, int index, out SqlValue value) =>
        binary ? DecodeBinary(data, oid, index, out value) : DecodeText(data, oid, out value);

    /// <summary>The fixed length of a type's binary form, 0 for variable.</summary>
    private static int BinaryLength(uint oid) => oid switch
    {
        16 => 1,
        21 => 2,
        23 or 26 or 700 or 1082 or 2205 or 2206 => 4,
        20 or 701 or 1083 or 1114 or 1184 => 8,
        1186 or 2950 => 16,
        _ => 0,
    };

    private static SqlError? DecodeBinary(ReadOnlySpan<byte> data, uint oid, int index, out SqlValue value)
    {
        value = SqlValue.Null;
        var length = BinaryLength(oid);
        if (length > 0 && data.Length != length)
        {
            // PostgreSQL's receive functions read past the value (08P01) or leave bytes unread (22P03).
            return data.Length < length
                ? Insufficient
                : new SqlError(SqlStates.InvalidBinaryRepresentation, $"incorrect binary data format in bind parameter {index + 1}");
        }
        switch (oid)
        {
            case 16:
                value = SqlValue.FromInteger(data[0] != 0 ? 1 : 0);
                return null;
            case 21:
                value = SqlValue.FromInteger(BinaryPrimitives.ReadInt16BigEndian(data));
                return null;
            case 23:
                value = SqlValue.FromInteger(BinaryPrimitives.ReadInt32BigEndian(data));
                return null;
            case 26 or 2205 or 2206:
                value = SqlValue.FromInteger(BinaryPrimitives.ReadUInt32BigEndian(data));
                return null;
            case 20:
                value = SqlValue.FromInteger(BinaryPrimitives.ReadInt64BigEndian(data));
                return null;
            case 700:
                value = SqlValue.FromReal(BinaryPrimitives.ReadSingleBigEndian(data));
                return null;
            case 701:
                value = SqlValue.FromReal(BinaryPrimitives.ReadDoubleBigEndian(data));
                return null;
            case 1700:
                return PgNumeric.Decode(data, out var number) ?? DecodeText(Encoding.ASCII.GetBytes(number), oid, out value);
            case 17:
                value = SqlValue.FromBlob(data.ToArray());
                return null;
            case 2950:
                value = SqlValue.FromText(new Guid(data, bigEndian: true).ToString());
                return null;
            case 1082:
                return Date(BinaryPrimitives.ReadInt32BigEndian(data), out value);
            case 1083:
                return Time(BinaryPrimitives.ReadInt64BigEndian(data), out value);
            case 1114 or 1184:
                return Timestamp(BinaryPrimitives.ReadInt64BigEndian(data), oid == 1184, out value);
            case 1186:
                value = SqlValue.FromText(FormatInterval(BinaryPrimitives.ReadInt64BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data[8..]), BinaryPrimitives.ReadInt32BigEndian(data[12..])));
                return null;
            case 3802:
                if (data.Length < 1)
                {
                    return Insufficient;
                }
                if (data[0] != 1)
                {
                    return new SqlError(SqlStates.InvalidBinaryRepresentation, $"unsupported jsonb version number {data[0]}");
                }
                return DecodeText(data[1..], oid, out value);
            case 0 or 18 or 19 or 25 or 114 or 705 or 1042 or 1043:
                // The binary form of the text types (and json) is the text itself.
                return DecodeText(data, oid, out value);
            default:
                return new SqlError(SqlStates.UndefinedFunction, $"no binary input function available for type {TypeName(oid)}");
        }
    }

    private static SqlError? Date(int days, out SqlValue value)
    {
        value = SqlValue.Null;
        if (days is int.MaxValue or int.MinValue)
        {
            value = SqlValue.FromText(days == int.MaxValue ? "infinity" : "-infinity");
            return null;
        }
        if (days < MinDays || days > MaxDays)
        {
            return new SqlError(SqlStates.DatetimeFieldOverflow, "date out of range");
        }
        value = SqlValue.FromText(PostgresEpoch.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return null;
    }

    private static SqlError? Time(long micros, out SqlValue value)
    {
        value = SqlValue.Null;
        if (micros < 0 || micros > MicrosPerDay)
        {
            return new SqlError(SqlStates.DatetimeFieldOverflow, "time out of range");
        }
        value = SqlValue.FromText(micros == MicrosPerDay ? "24:00:00" : FormatClock((ulong)micros));
        return null;
    }

    private static SqlError? Timestamp(long micros, bool withZone, out SqlValue value)
    {
        value = SqlValue.Null;
        if (micros is long.MaxValue or long.MinValue)
        {
            value = SqlValue.FromText(micros == long.MaxValue ? "infinity" : "-infinity");
            return null;
        }
        if (micros < MinMicros || micros > MaxMicros)
        {
            return new SqlError(SqlStates.DatetimeFieldOverflow, "timestamp out of range");
        }
        value = SqlValue.FromText(PgValues.FormatTimestamp(new DateTime(PostgresEpoch.Ticks + micros * 10, DateTimeKind.Utc), withZone));
        return null;
    }

    /// <summary>hh:mm:ss with the fraction's significant digits, for <paramref name="micros"/> (hours may pass 24).</summary>
    private static string FormatClock(ulong micros)
    {
        var seconds = micros / 1_000_000;
        var fraction = micros % 1_000_000;
        var text = string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
        return fraction == 0 ? text : text + "." + fraction.ToString("000000", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    /// <summary>An interval as PostgreSQL's default (postgres) style prints it: "1 year 2 mons 3 days 04:05:06.5".</summary>
    private static string FormatInterval(long micros, int days, int months)
    {
        if (micros == long.MaxValue && days == int.MaxValue && months == int.MaxValue)
        {
            return "infinity";
        }
        if (micros == long.MinValue && days == int.MinValue && months == int.MinValue)
        {
            return "-infinity";
        }
        var text = new StringBuilder();
        void Part(long amount, string unit)
        {
            if (amount != 0)
            {
                text.Append(text.Length > 0 ? " " : "").Append(amount.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(unit).Append(amount == 1 ? "" : "s");
            }
        }
        Part(months / 12, "year");
        Part(months % 12, "mon");
        Part(days, "day");
        if (micros != 0 || text.Length == 0)
        {
            var magnitude = micros < 0 ? (ulong)(-(micros + 1)) + 1 : (ulong)micros;
            text.Append(text.Length > 0 ? " " : "").Append(micros < 0 ? "-" : "").Append(FormatClock(magnitude));
        }
        return text.ToString();
    }

    private static string TypeName(uint oid) => oid switch
    {
        16 => "boolean",
        20 => "bigint",
        21 => "smallint",
        23 => "integer",
        700 => "real",
        701 => "double precision",
        _ => PgType.FromOid(oid)?.Name ?? oid.ToString(CultureInfo.InvariantCulture),
    };
}
