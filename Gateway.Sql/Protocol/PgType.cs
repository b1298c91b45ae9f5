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
    /// The type a result column is described with: from its declared type, following SQLite's affinity rules
    /// (a name containing INT is an integer, CHAR/CLOB/TEXT text, BLOB a blob, REAL/FLOA/DOUB a double) with
    /// PostgreSQL's own type names recognised first; without one, from the storage class of its first value.
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
            case "REAL" or "FLOAT4":
                return Float4;
            case "FLOAT" or "FLOAT8" or "DOUBLE" or "DOUBLE PRECISION":
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
