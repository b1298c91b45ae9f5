using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>A PostgreSQL type as the wire names it: its OID, name and fixed length (-1 for variable).</summary>
internal readonly record struct PgType(uint Oid, string Name, short Length)
{
    public static readonly PgType Bool = new(16, "bool", 1);
    public static readonly PgType Bytea = new(17, "bytea", -1);
    public static readonly PgType Char = new(18, "char", 1);
    public static readonly PgType Name_ = new(19, "name", 64);
    public static readonly PgType Int8 = new(20, "int8", 8);
    public static readonly PgType Int2 = new(21, "int2", 2);
    public static readonly PgType Int4 = new(23, "int4", 4);
    public static readonly PgType Text = new(25, "text", -1);
    public static readonly PgType Oid_ = new(26, "oid", 4);
    public static readonly PgType Json = new(114, "json", -1);
    public static readonly PgType Float4 = new(700, "float4", 4);
    public static readonly PgType Float8 = new(701, "float8", 8);
    public static readonly PgType Unknown = new(705, "unknown", -2);
    public static readonly PgType Bpchar = new(1042, "bpchar", -1);
    public static readonly PgType Varchar = new(1043, "varchar", -1);
    public static readonly PgType Date = new(1082, "date", 4);
    public static readonly PgType Time = new(1083, "time", 8);
    public static readonly PgType Timestamp = new(1114, "timestamp", 8);
    public static readonly PgType TimestampTz = new(1184, "timestamptz", 8);
    public static readonly PgType Interval = new(1186, "interval", 16);
    public static readonly PgType Numeric = new(1700, "numeric", -1);
    public static readonly PgType Uuid = new(2950, "uuid", 16);
    public static readonly PgType Jsonb = new(3802, "jsonb", -1);
    public static readonly PgType Regclass = new(2205, "regclass", 4);
    public static readonly PgType Regtype = new(2206, "regtype", 4);
    public static readonly PgType Record = new(2249, "record", -1);
    public static readonly PgType Void = new(2278, "void", 4);

    /// <summary>The base types offered to clients through pg_type (Npgsql loads its type map from there).</summary>
    public static readonly PgType[] BaseTypes =
    [
        Bool, Bytea, Char, Name_, Int8, Int2, Int4, Text, Oid_, Json, Float4, Float8, Unknown, Bpchar, Varchar, Date, Time,
        Timestamp, TimestampTz, Interval, Numeric, Uuid, Jsonb, Regclass, Regtype,
    ];

    public static PgType? FromOid(uint oid)
    {
        foreach (var type in BaseTypes)
        {
            if (type.Oid == oid)
            {
                return type;
            }
        }
        return null;
    }

    /// <summary>
    /// The type a column is described with before its values are known: its declared type's
    /// (<see cref="FromDeclared"/>), or for an expression the storage class of its first value, when one was read.
    /// </summary>
    public static PgType ForColumn(SqlColumn column) =>
        column.DeclaredType is { Length: > 0 } declared ? FromDeclared(declared) : FromStorageClass(column.StorageClass);

    public static PgType FromStorageClass(SqlStorageClass? storage) => storage switch
    {
        SqlStorageClass.Integer => Int8,
        SqlStorageClass.Real => Float8,
        SqlStorageClass.Blob => Bytea,
        _ => Text,
    };

    /// <summary>
    /// The type all values of the storage classes in <paramref name="classes"/> (a mask of 1 &lt;&lt; class) are valid
    /// in: int8 for integers, float8 for reals, numeric for integers mixed with reals (exact for both, as long as the
    /// reals have plain decimal digits, <paramref name="numericFits"/>; float8 otherwise), bytea for blobs alone, text
    /// for anything else (a blob among other values is sent as bytea's hex text).
    /// </summary>
    public static PgType FromStorageClasses(int classes, bool numericFits) => classes switch
    {
        1 << (int)SqlStorageClass.Integer => Int8,
        1 << (int)SqlStorageClass.Real => Float8,
        1 << (int)SqlStorageClass.Integer | 1 << (int)SqlStorageClass.Real => numericFits ? Numeric : Float8,
        1 << (int)SqlStorageClass.Blob => Bytea,
        _ => Text,
    };

    /// <summary>
    /// The types of result columns about to be sent with <paramref name="rows"/> (all of the result, or its first
    /// rows): each column's declared type where every value fits it (<see cref="PgValues.Fits"/>), else the type of
    /// the storage classes its values have (<see cref="FromStorageClasses"/>). A BOOLEAN column holding 2 or 'yes'
    /// is so described as int8 or text, a REAL in an INTEGER column makes it numeric, and an expression's type comes
    /// from all its values rather than its first.
    /// </summary>
    public static PgType[] ForRows(IReadOnlyList<SqlColumn> columns, IReadOnlyList<SqlValue[]> rows)
    {
        var types = new PgType[columns.Count];
        for (var i = 0; i < types.Length; i++)
        {
            var declared = columns[i].DeclaredType is { Length: > 0 } name ? FromDeclared(name) : (PgType?)null;
            var fits = declared is not null;
            var classes = 0;
            foreach (var row in rows)
            {
                if (i >= row.Length || row[i].IsNull)
                {
                    continue;
                }
                classes |= 1 << (int)row[i].Kind;
                fits = fits && PgValues.Fits(row[i], declared!.Value);
            }
            types[i] = fits ? declared!.Value
                : classes == 0 ? ForColumn(columns[i])
                : FromStorageClasses(classes, classes == IntegerAndReal && AllFit(rows, i, Numeric));
        }
        return types;
    }

    private const int IntegerAndReal = 1 << (int)SqlStorageClass.Integer | 1 << (int)SqlStorageClass.Real;

    /// <summary>
    /// Whether every value of column <paramref name="column"/> fits <paramref name="type"/>: asked only when the answer
    /// chooses the type, as a real's numeric check formats it.
    /// </summary>
    private static bool AllFit(IReadOnlyList<SqlValue[]> rows, int column, PgType type)
    {
        foreach (var row in rows)
        {
            if (column < row.Length && !PgValues.Fits(row[column], type))
            {
                return false;
            }
        }
        return true;
    }

    public static PgType FromDeclared(string declared)
    {
        var upper = declared.Trim().ToUpperInvariant();
        var paren = upper.IndexOf('(');
        var name = (paren >= 0 ? upper[..paren] : upper).Trim();
        switch (name)
        {
            case "BOOL" or "BOOLEAN":
                return Bool;
            case "SMALLINT" or "INT2":
                return Int2;
            case "INT4":
                return Int4;
            case "INT" or "INTEGER" or "BIGINT" or "INT8":
                return Int8;
            case "REAL" or "FLOAT4" or "FLOAT" or "FLOAT8" or "DOUBLE" or "DOUBLE PRECISION":
                // SQLite keeps every REAL as a double: float4 would make clients drop digits (1e300 does not fit).
                return Float8;
            case "NUMERIC" or "DECIMAL":
                return Numeric;
            case "VARCHAR" or "CHARACTER VARYING" or "NVARCHAR":
                return Varchar;
            case "BYTEA" or "BLOB":
                return Bytea;
            case "TIMESTAMP" or "DATETIME" or "TIMESTAMP WITHOUT TIME ZONE":
                return Timestamp;
            case "TIMESTAMPTZ" or "TIMESTAMP WITH TIME ZONE":
                return TimestampTz;
            case "DATE":
                return Date;
            case "UUID":
                return Uuid;
            case "JSON":
                return Json;
            case "JSONB":
                return Jsonb;
        }
        // SQLite's affinity rules (datatype3.html, 3.1), in their order.
        if (upper.Contains("INT", StringComparison.Ordinal))
        {
            return Int8;
        }
        if (upper.Contains("CHAR", StringComparison.Ordinal) || upper.Contains("CLOB", StringComparison.Ordinal) || upper.Contains("TEXT", StringComparison.Ordinal))
        {
            return Text;
        }
        if (upper.Contains("BLOB", StringComparison.Ordinal))
        {
            return Bytea;
        }
        if (upper.Contains("REAL", StringComparison.Ordinal) || upper.Contains("FLOA", StringComparison.Ordinal) || upper.Contains("DOUB", StringComparison.Ordinal))
        {
            return Float8;
        }
        // NUMERIC affinity in SQLite; described as text so any value a column holds can be sent.
        return Text;
    }
}
