using System.Globalization;
using System.Text;

namespace IceFire.Grains.Interfaces.Sql;

/// <summary>SQLite's storage classes, numbered as SQLite numbers them (SQLITE_INTEGER = 1 ... SQLITE_NULL = 5).</summary>
public enum SqlStorageClass : byte
{
    Integer = 1,
    Real = 2,
    Text = 3,
    Blob = 4,
    Null = 5,
}

/// <summary>One SQLite value: null, a 64-bit integer, a double, UTF-8 text or a blob.</summary>
/// <remarks>Text and blobs are held as byte arrays the value owns; a value is immutable once made.</remarks>
public readonly struct SqlValue
{
    private readonly long _integer;
    private readonly double _real;
    private readonly byte[]? _bytes;

    private SqlValue(SqlStorageClass kind, long integer, double real, byte[]? bytes)
    {
        Kind = kind;
        _integer = integer;
        _real = real;
        _bytes = bytes;
    }

    public static SqlValue Null => new(SqlStorageClass.Null, 0, 0, null);

    public static SqlValue FromInteger(long value) => new(SqlStorageClass.Integer, value, 0, null);

    public static SqlValue FromReal(double value) => new(SqlStorageClass.Real, 0, value, null);

    /// <summary>Text given as UTF-8 bytes, which the value keeps.</summary>
    public static SqlValue FromUtf8(byte[] utf8) => new(SqlStorageClass.Text, 0, 0, utf8);

    public static SqlValue FromText(string text) => new(SqlStorageClass.Text, 0, 0, Encoding.UTF8.GetBytes(text));

    /// <summary>A blob, which the value keeps.</summary>
    public static SqlValue FromBlob(byte[] blob) => new(SqlStorageClass.Blob, 0, 0, blob);

    public SqlStorageClass Kind { get; }

    public bool IsNull => Kind == SqlStorageClass.Null;

    public long Integer => _integer;

    public double Real => _real;

    /// <summary>The UTF-8 text or the blob's bytes; empty for the other storage classes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The value as SQLite's CAST(... AS TEXT) would show it; null for NULL.</summary>
    public string? AsText() => Kind switch
    {
        SqlStorageClass.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        SqlStorageClass.Real => _real.ToString("R", CultureInfo.InvariantCulture),
        SqlStorageClass.Text or SqlStorageClass.Blob => Encoding.UTF8.GetString(_bytes!),
        _ => null,
    };

    public override string ToString() => AsText() ?? "NULL";
}
