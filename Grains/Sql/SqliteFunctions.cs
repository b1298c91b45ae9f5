using IceFire.Grains.Interfaces.Sql;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>Registers a gateway's scalar functions on a connection and converts between SQLite and <see cref="SqlValue"/>.</summary>
internal static class SqliteFunctions
{
    private const int Utf8 = 1;

    public static void Register(sqlite3 db, SqlScalarFunction function)
    {
        raw.sqlite3_create_function(db, function.Name, function.ArgumentCount, Utf8, function, Invoke);
    }

    private static void Invoke(sqlite3_context context, object userData, sqlite3_value[] args)
    {
        var function = (SqlScalarFunction)userData;
        var values = new SqlValue[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            values[i] = raw.sqlite3_value_type(args[i]) switch
            {
                raw.SQLITE_INTEGER => SqlValue.FromInteger(raw.sqlite3_value_int64(args[i])),
                raw.SQLITE_FLOAT => SqlValue.FromReal(raw.sqlite3_value_double(args[i])),
                raw.SQLITE_TEXT => SqlValue.FromUtf8(raw.sqlite3_value_blob(args[i]).ToArray()),
                raw.SQLITE_BLOB => SqlValue.FromBlob(raw.sqlite3_value_blob(args[i]).ToArray()),
                _ => SqlValue.Null,
            };
        }
        SqlValue result;
        try
        {
            result = function.Body(values);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            raw.sqlite3_result_error(context, $"{function.Name}: {e.Message}");
            return;
        }
        switch (result.Kind)
        {
            case SqlStorageClass.Integer:
                raw.sqlite3_result_int64(context, result.Integer);
                break;
            case SqlStorageClass.Real:
                raw.sqlite3_result_double(context, result.Real);
                break;
            case SqlStorageClass.Text:
                raw.sqlite3_result_text(context, result.Bytes);
                break;
            case SqlStorageClass.Blob:
                raw.sqlite3_result_blob(context, result.Bytes);
                break;
            default:
                raw.sqlite3_result_null(context);
                break;
        }
    }

    /// <summary>Binds <paramref name="value"/> to parameter <paramref name="index"/> (1-based).</summary>
    public static int Bind(sqlite3_stmt stmt, int index, in SqlValue value) => value.Kind switch
    {
        SqlStorageClass.Integer => raw.sqlite3_bind_int64(stmt, index, value.Integer),
        SqlStorageClass.Real => raw.sqlite3_bind_double(stmt, index, value.Real),
        SqlStorageClass.Text => raw.sqlite3_bind_text(stmt, index, value.Bytes),
        SqlStorageClass.Blob => raw.sqlite3_bind_blob(stmt, index, value.Bytes),
        _ => raw.sqlite3_bind_null(stmt, index),
    };

    /// <summary>Column <paramref name="index"/> of the current row.</summary>
    public static SqlValue Column(sqlite3_stmt stmt, int index) => raw.sqlite3_column_type(stmt, index) switch
    {
        raw.SQLITE_INTEGER => SqlValue.FromInteger(raw.sqlite3_column_int64(stmt, index)),
        raw.SQLITE_FLOAT => SqlValue.FromReal(raw.sqlite3_column_double(stmt, index)),
        raw.SQLITE_TEXT => SqlValue.FromUtf8(raw.sqlite3_column_blob(stmt, index).ToArray()),
        raw.SQLITE_BLOB => SqlValue.FromBlob(raw.sqlite3_column_blob(stmt, index).ToArray()),
        _ => SqlValue.Null,
    };
}
