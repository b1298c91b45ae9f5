using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>
/// SQLite values in PostgreSQL's text and binary output formats (PostgreSQL docs, "Data Types", and each type's
/// output and send functions). A value is written only in a type it is valid in (<see cref="Fits"/>): every value a
/// client receives parses as the type its RowDescription announced.
/// </summary>
internal static partial class PgValues
{
    private static readonly DateTime PostgresEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Whether <paramref name="value"/> can be sent as <paramref name="type"/> so that it parses back as that type
    /// and means what SQLite holds: integers in the type's range (0 and 1 for bool), numbers for float8 and numeric,
    /// blobs only for bytea, ISO dates and timestamps as text for date and timestamp, any non-blob for text.
    /// </summary>
    public static bool Fits(in SqlValue value, PgType type)
    {
        if (value.IsNull)
        {
            return true;
        }
        switch (type.Oid)
        {
            case 16:
                return value.Kind == SqlStorageClass.Integer && value.Integer is 0 or 1;
            case 21:
                return value.Kind == SqlStorageClass.Integer && value.Integer is >= short.MinValue and <= short.MaxValue;
            case 23:
                return value.Kind == SqlStorageClass.Integer && value.Integer is >= int.MinValue and <= int.MaxValue;
            case 26:
                return value.Kind == SqlStorageClass.Integer && value.Integer is >= 0 and <= uint.MaxValue;
            case 20:
                return value.Kind == SqlStorageClass.Integer;
            case 700:
                return value.Kind == SqlStorageClass.Integer || (value.Kind == SqlStorageClass.Real && (float.IsFinite((float)value.Real) || !double.IsFinite(value.Real)));
            case 701:
                return value.Kind is SqlStorageClass.Integer or SqlStorageClass.Real;
            case 1700:
                return value.Kind == SqlStorageClass.Integer || (value.Kind == SqlStorageClass.Real && NumericText(value.Real) is not null);
            case 17:
                return value.Kind == SqlStorageClass.Blob;
            case 1082:
                return value.Kind == SqlStorageClass.Text && TryDate(value, out _);
            case 1114 or 1184:
                return TryTimestamp(value, type.Oid == 1184, out _);
            case 2950:
                return TryUuid(value, out _);
            case 3802 or 114:
                return value.Kind != SqlStorageClass.Blob;
            default:
                // text, varchar and the other text types: blobs are written as bytea's hex text.
                return true;
        }
    }

    /// <summary>
    /// Writes a DataRow field (length and bytes) for <paramref name="value"/> as <paramref name="type"/>; false, with
    /// nothing meaningful written, when the value does not <see cref="Fits"/> the type.
    /// </summary>
    public static bool TryWrite(PgMessageBuffer output, in SqlValue value, PgType type, bool binary)
    {
        if (value.IsNull)
        {
            output.Int32(-1);
            return true;
        }
        if (!Fits(value, type))
        {
            return false;
        }
        var lengthAt = output.Position;
        output.Int32(0);
        if (binary)
        {
            WriteBinary(output, value, type);
        }
        else
        {
            WriteText(output, value, type);
        }
        output.PatchInt32(lengthAt, output.Position - lengthAt - 4);
        return true;
    }

    private static void WriteText(PgMessageBuffer output, in SqlValue value, PgType type)
    {
        switch (type.Oid)
        {
            case 16:
                output.Byte(value.Integer != 0 ? (byte)'t' : (byte)'f');
                return;
            case 1700 when value.Kind == SqlStorageClass.Real:
                output.Bytes(Encoding.ASCII.GetBytes(NumericText(value.Real)!));
                return;
            case 1082:
                TryDate(value, out var date);
                output.Bytes(Encoding.ASCII.GetBytes(date));
                return;
            case 2950:
                TryUuid(value, out var uuid);
                output.Bytes(Encoding.ASCII.GetBytes(uuid.ToString()));
                return;
        }
        switch (value.Kind)
        {
            case SqlStorageClass.Text:
                output.Bytes(value.Bytes);
                return;
            case SqlStorageClass.Blob:
                WriteHex(output, value.Bytes);
                return;
            case SqlStorageClass.Real:
                output.Bytes(Encoding.ASCII.GetBytes(RealText(value.Real)));
                return;
            default:
                Span<byte> digits = stackalloc byte[24];
                value.Integer.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
                output.Bytes(digits[..n]);
                return;
        }
    }

    /// <summary>bytea's hex output: \x and two lowercase digits a byte.</summary>
    private static void WriteHex(PgMessageBuffer output, ReadOnlySpan<byte> bytes)
    {
        output.Bytes("\\x"u8);
        var hex = output.Reserve(bytes.Length * 2);
        Convert.TryToHexStringLower(bytes, hex, out var written);
        output.Advance(written);
    }

    /// <summary>A double as float8's output writes it: shortest round-trip digits, Infinity, -Infinity, NaN.</summary>
    public static string RealText(double real) =>
        double.IsPositiveInfinity(real) ? "Infinity" : double.IsNegativeInfinity(real) ? "-Infinity" : real.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A double as plain decimal digits for numeric, or null when it has none (infinite, NaN, beyond decimal's range).</summary>
    private static string? NumericText(double real) =>
        double.IsFinite(real) && decimal.TryParse(real.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
            ? exact.ToString(CultureInfo.InvariantCulture)
            : null;

    private static void WriteBinary(PgMessageBuffer output, in SqlValue value, PgType type)
    {
        switch (type.Oid)
        {
            case 16:
                output.Byte(value.Integer != 0 ? (byte)1 : (byte)0);
                return;
            case 20:
                output.Int32((int)(value.Integer >> 32));
                output.Int32((int)value.Integer);
                return;
            case 21:
                output.Int16((short)value.Integer);
                return;
            case 23 or 26:
                output.Int32((int)value.Integer);
                return;
            case 700:
                output.Int32(BitConverter.SingleToInt32Bits(value.Kind == SqlStorageClass.Integer ? value.Integer : (float)value.Real));
                return;
            case 701:
                var bits = BitConverter.DoubleToInt64Bits(value.Kind == SqlStorageClass.Integer ? value.Integer : value.Real);
                output.Int32((int)(bits >> 32));
                output.Int32((int)bits);
                return;
            case 1700:
                PgNumeric.TryEncode(value.Kind == SqlStorageClass.Integer ? value.AsText()! : NumericText(value.Real)!, output);
                return;
            case 17:
                output.Bytes(value.Bytes);
                return;
            case 2950:
                TryUuid(value, out var guid);
                guid.TryWriteBytes(output.Reserve(16), bigEndian: true, out _);
                output.Advance(16);
                return;
            case 1114 or 1184:
                TryTimestamp(value, type.Oid == 1184, out var timestamp);
                var micros = timestamp is { } t ? (t - PostgresEpoch).Ticks / 10 : Infinite(value) > 0 ? long.MaxValue : long.MinValue;
                output.Int32((int)(micros >> 32));
                output.Int32((int)micros);
                return;
            case 1082:
                TryDate(value, out var date);
                output.Int32(date.Length == 10 ? (int)((DateTime.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture) - PostgresEpoch.Date).Ticks / TimeSpan.TicksPerDay)
                    : date[0] == '-' ? int.MinValue : int.MaxValue);
                return;
            case 3802:
                output.Byte(1);
                WriteText(output, value, PgType.Text);
                return;
            default:
                // The text types' binary form is their text.
                WriteText(output, value, type);
                return;
        }
    }

    /// <summary>+1 for 'infinity', -1 for '-infinity' (PostgreSQL's special date and timestamp values), else 0.</summary>
    private static int Infinite(in SqlValue value) =>
        value.Kind != SqlStorageClass.Text ? 0
        : value.Bytes.SequenceEqual("infinity"u8) ? 1
        : value.Bytes.SequenceEqual("-infinity"u8) ? -1
        : 0;

    /// <summary>A date stored as yyyy-MM-dd text (or an infinity), as its canonical text.</summary>
    private static bool TryDate(in SqlValue value, out string date)
    {
        date = "";
        if (Infinite(value) is var infinite and not 0)
        {
            date = infinite > 0 ? "infinity" : "-infinity";
            return true;
        }
        if (value.Kind != SqlStorageClass.Text || value.Bytes.Length != 10)
        {
            return false;
        }
        var text = Encoding.ASCII.GetString(value.Bytes);
        if (!DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return false;
        }
        date = text;
        return true;
    }

    /// <summary>
    /// A timestamp stored as text PostgreSQL reads back unchanged (and SQLite's datetime() writes): "yyyy-MM-dd
    /// HH:mm:ss" with up to six fraction digits, and for timestamptz an optional zone (Z, +hh, +hh:mm); null (and
    /// true) for an infinity. Other spellings SQLite's date functions accept ("2024-01-02T03:04", a bare date) are
    /// not timestamps here: their text would change on the way, so the column is described as text.
    /// </summary>
    private static bool TryTimestamp(in SqlValue value, bool withZone, out DateTime? timestamp)
    {
        timestamp = null;
        if (Infinite(value) != 0)
        {
            return true;
        }
        if (value.Kind != SqlStorageClass.Text || value.Bytes.Length is < 19 or > 40)
        {
            return false;
        }
        var text = Encoding.ASCII.GetString(value.Bytes);
        if (!(withZone ? ZonedTimestamp() : PlainTimestamp()).IsMatch(text) ||
            !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }
        timestamp = parsed;
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainTimestamp();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ZonedTimestamp();

    private static bool TryUuid(in SqlValue value, out Guid uuid)
    {
        if (value.Kind == SqlStorageClass.Blob && value.Bytes.Length == 16)
        {
            uuid = new Guid(value.Bytes, bigEndian: true);
            return true;
        }
        uuid = default;
        return value.Kind == SqlStorageClass.Text && value.Bytes.Length <= 64 && Guid.TryParse(Encoding.ASCII.GetString(value.Bytes), out uuid);
    }

    /// <summary>A timestamp as PostgreSQL prints it: "2024-01-02 03:04:05.123456", fraction trimmed, "+00:00" for timestamptz.</summary>
    public static string FormatTimestamp(DateTime value, bool withZone)
    {
        var text = value.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return withZone ? text + "+00:00" : text;
    }
}
