using IceFire.Grains.Interfaces.Sql;
using Orleans;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// How a <see cref="SqlValue"/> crosses an Orleans call (<see cref="ISqlCalls"/>): its storage class (SQLite's number)
/// and the one field that class uses. Text and blobs travel as their bytes, exactly; reals as their bits, NaN included.
/// </summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlValue")]
public readonly record struct SqlValueSurrogate(
    [property: Id(0)] byte Kind,
    [property: Id(1)] long Integer,
    [property: Id(2)] double Real,
    [property: Id(3)] byte[]? Bytes);

/// <summary>Converts <see cref="SqlValue"/> to and from <see cref="SqlValueSurrogate"/>.</summary>
[RegisterConverter]
public sealed class SqlValueSurrogateConverter : IConverter<SqlValue, SqlValueSurrogate>
{
    public SqlValue ConvertFromSurrogate(in SqlValueSurrogate surrogate) => (SqlStorageClass)surrogate.Kind switch
    {
        SqlStorageClass.Integer => SqlValue.FromInteger(surrogate.Integer),
        SqlStorageClass.Real => SqlValue.FromReal(surrogate.Real),
        SqlStorageClass.Text => SqlValue.FromUtf8(surrogate.Bytes ?? []),
        SqlStorageClass.Blob => SqlValue.FromBlob(surrogate.Bytes ?? []),
        SqlStorageClass.Null => SqlValue.Null,
        _ => throw new FormatException($"storage class {surrogate.Kind} is unknown"),
    };

    public SqlValueSurrogate ConvertToSurrogate(in SqlValue value) => value.Kind switch
    {
        SqlStorageClass.Integer => new((byte)value.Kind, value.Integer, 0, null),
        SqlStorageClass.Real => new((byte)value.Kind, 0, value.Real, null),
        SqlStorageClass.Text or SqlStorageClass.Blob => new((byte)value.Kind, 0, 0, value.Bytes.ToArray()),
        _ => new((byte)value.Kind, 0, 0, null),
    };
}

/// <summary>How a <see cref="SqlColumn"/> crosses an Orleans call; storage class 0 for none.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlColumn")]
public readonly record struct SqlColumnSurrogate(
    [property: Id(0)] string Name,
    [property: Id(1)] string? DeclaredType,
    [property: Id(2)] byte StorageClass,
    [property: Id(3)] string? TableName);

/// <summary>Converts <see cref="SqlColumn"/> to and from <see cref="SqlColumnSurrogate"/>.</summary>
[RegisterConverter]
public sealed class SqlColumnSurrogateConverter : IConverter<SqlColumn, SqlColumnSurrogate>
{
    public SqlColumn ConvertFromSurrogate(in SqlColumnSurrogate surrogate) =>
        new(surrogate.Name, surrogate.DeclaredType, surrogate.StorageClass == 0 ? null : (SqlStorageClass)surrogate.StorageClass, surrogate.TableName);

    public SqlColumnSurrogate ConvertToSurrogate(in SqlColumn value) =>
        new(value.Name, value.DeclaredType, value.StorageClass is { } kind ? (byte)kind : (byte)0, value.TableName);
}

/// <summary>How a <see cref="SqlError"/> crosses an Orleans call: SQLSTATE, message and SQLite's result code.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlError")]
public readonly record struct SqlErrorSurrogate(
    [property: Id(0)] string SqlState,
    [property: Id(1)] string Message,
    [property: Id(2)] int SqliteCode);

/// <summary>Converts <see cref="SqlError"/> to and from <see cref="SqlErrorSurrogate"/>.</summary>
[RegisterConverter]
public sealed class SqlErrorSurrogateConverter : IConverter<SqlError, SqlErrorSurrogate>
{
    public SqlError ConvertFromSurrogate(in SqlErrorSurrogate surrogate) => new(surrogate.SqlState, surrogate.Message, surrogate.SqliteCode);

    public SqlErrorSurrogate ConvertToSurrogate(in SqlError value) => new(value.SqlState, value.Message, value.SqliteCode);
}
