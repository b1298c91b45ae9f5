using System.Globalization;
using System.Text;

namespace IceFire.Silo.Tests.Sql.Differential;

/// <summary>
/// One statement's outcome in a form two engines can be compared in: its rows with each value rendered canonically
/// (integers in decimal, doubles in round-trip digits, text as it is, blobs as \x and hex, NULL), or its error class.
/// </summary>
internal sealed record Outcome(List<string[]>? Rows, string? Error)
{
    public static Outcome Failed(string error) => new(null, error);

    public override string ToString() =>
        Error is { } error ? "error " + error
        : Rows!.Count == 0 ? "(no rows)"
        : string.Join(" / ", Rows.Select(row => string.Join(" | ", row)));

    /// <summary>Integers and doubles as SQLite shows them; the same number compares equal whichever class holds it.</summary>
    public static string Number(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "Inf";
        }
        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }
        if (Math.Floor(value) == value && Math.Abs(value) < 9007199254740992d)
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        }
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Blob(ReadOnlySpan<byte> bytes) => "\\x" + Convert.ToHexStringLower(bytes);

    /// <summary>A value as Npgsql or Microsoft.Data.Sqlite returns it.</summary>
    public static string Render(object? value, string? pgType = null) => value switch
    {
        null or DBNull => "NULL",
        long l => Number(l),
        int i => Number(i),
        short s => Number(s),
        double d => Number(d),
        float f => Number(f),
        decimal m => Math.Floor(m) == m && m >= long.MinValue && m <= long.MaxValue ? Number((long)m) : Number((double)m),
        bool b => b ? "1" : "0",
        string s => s,
        byte[] bytes => Blob(bytes),
        Guid g => g.ToString(),
        DateTime t when t == DateTime.MaxValue => "infinity",
        DateTime t when t == DateTime.MinValue => "-infinity",
        DateOnly d when d == DateOnly.MaxValue => "infinity",
        DateOnly d when d == DateOnly.MinValue => "-infinity",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.'),
        DateTime t when pgType == "date" => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.'),
        _ => throw new InvalidCastException($"unexpected {value.GetType().Name} value {value}"),
    };

    /// <summary>
    /// A text-format field of type <paramref name="oid"/> as the simple protocol sends it, parsed as that type (the
    /// parse fails, and so does the comparison, when the value is not valid in the type its RowDescription announced).
    /// </summary>
    public static string RenderText(byte[]? field, uint oid)
    {
        if (field is null)
        {
            return "NULL";
        }
        var text = Encoding.UTF8.GetString(field);
        var invariant = CultureInfo.InvariantCulture;
        return oid switch
        {
            16 => text switch { "t" => "1", "f" => "0", _ => throw new FormatException($"bool '{text}'") },
            20 or 21 or 23 or 26 => Number(long.Parse(text, NumberStyles.AllowLeadingSign, invariant)),
            700 or 701 => Number(text switch
            {
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(text, NumberStyles.Float, invariant),
            }),
            1700 => Render(decimal.Parse(text, NumberStyles.Float, invariant)),
            17 => text.StartsWith("\\x", StringComparison.Ordinal) ? Blob(Convert.FromHexString(text.AsSpan(2))) : throw new FormatException($"bytea '{text}'"),
            1082 => text is "infinity" or "-infinity" ? text : DateTime.ParseExact(text, "yyyy-MM-dd", invariant).ToString("yyyy-MM-dd", invariant),
            1114 => text is "infinity" or "-infinity" || DateTime.TryParseExact(text, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF"], invariant, DateTimeStyles.None, out _)
                ? text
                : throw new FormatException($"timestamp '{text}'"),
            2950 => Guid.Parse(text).ToString(),
            25 or 1043 or 1042 or 19 or 114 or 3802 => text,
            _ => throw new FormatException($"unexpected type {oid} for '{text}'"),
        };
    }
}
