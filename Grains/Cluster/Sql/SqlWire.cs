using System.Buffers.Binary;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// The encodings of SQL values, columns, errors and row chunks in SQL session calls.
/// </summary>
/// <remarks>
/// A value is its storage class byte, then: an integer as a zigzag varint, a real as 8 little-endian bytes, text or
/// a blob as an i32 length and its bytes, nothing for NULL. A row chunk is a sequence of rows, each introduced by
/// byte 1 and its varint column count, ended by byte 0, then <c>u8 suspended</c> and, when the statement completed,
/// its <see cref="SqlFetchResult"/>: <c>i64 rows | i64 changes | string verb | error?</c>.
/// </remarks>
internal static class SqlWire
{
    public static void VarUInt(WireWriter w, ulong value)
    {
        while (value >= 0x80)
        {
            w.Byte((byte)(value | 0x80));
            value >>= 7;
        }
        w.Byte((byte)value);
    }

    public static ulong VarUInt(ref WireReader r)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = r.Byte();
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new FormatException("a varint is longer than 10 bytes");
    }

    private static int Length(ref WireReader r)
    {
        var length = VarUInt(ref r);
        return length > int.MaxValue ? throw new FormatException("a length is out of range") : (int)length;
    }

    public static void Value(WireWriter w, in SqlValue value)
    {
        w.Byte((byte)value.Kind);
        switch (value.Kind)
        {
            case SqlStorageClass.Integer:
                VarUInt(w, (ulong)((value.Integer << 1) ^ (value.Integer >> 63)));
                break;
            case SqlStorageClass.Real:
                w.Int64(BitConverter.DoubleToInt64Bits(value.Real));
                break;
            case SqlStorageClass.Text or SqlStorageClass.Blob:
                w.Bytes(value.Bytes);
                break;
        }
    }

    public static SqlValue Value(ref WireReader r)
    {
        var kind = (SqlStorageClass)r.Byte();
        switch (kind)
        {
            case SqlStorageClass.Integer:
                var zigzag = VarUInt(ref r);
                return SqlValue.FromInteger((long)(zigzag >> 1) ^ -(long)(zigzag & 1));
            case SqlStorageClass.Real:
                return SqlValue.FromReal(BitConverter.Int64BitsToDouble(r.Int64()));
            case SqlStorageClass.Text:
                return SqlValue.FromUtf8(r.Bytes().ToArray());
            case SqlStorageClass.Blob:
                return SqlValue.FromBlob(r.Bytes().ToArray());
            case SqlStorageClass.Null:
                return SqlValue.Null;
            default:
                throw new FormatException($"storage class {(byte)kind} is unknown");
        }
    }

    public static void Values(WireWriter w, ReadOnlySpan<SqlValue> values)
    {
        VarUInt(w, (ulong)values.Length);
        foreach (ref readonly var value in values)
        {
            Value(w, value);
        }
    }

    public static SqlValue[] Values(ref WireReader r)
    {
        var values = new SqlValue[Count(ref r)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Value(ref r);
        }
        return values;
    }

    private static int Count(ref WireReader r)
    {
        var count = Length(ref r);
        // Every value takes at least a byte: a count beyond that is a lie that would allocate a huge array.
        return count > 1 << 20 ? throw new FormatException("a count is out of range") : count;
    }

    public static void OptionalString(WireWriter w, string? value)
    {
        w.Byte(value is null ? (byte)0 : (byte)1);
        if (value is not null)
        {
            w.String(value);
        }
    }

    public static string? OptionalString(ref WireReader r) => r.Byte() == 0 ? null : r.String();

    public static void Columns(WireWriter w, IReadOnlyList<SqlColumn> columns)
    {
        VarUInt(w, (ulong)columns.Count);
        foreach (var column in columns)
        {
            w.String(column.Name);
            OptionalString(w, column.DeclaredType);
            w.Byte(column.StorageClass is { } kind ? (byte)kind : (byte)0);
            OptionalString(w, column.TableName);
        }
    }

    public static SqlColumn[] Columns(ref WireReader r)
    {
        var columns = new SqlColumn[Count(ref r)];
        for (var i = 0; i < columns.Length; i++)
        {
            var name = r.String();
            var declared = OptionalString(ref r);
            var kind = r.Byte();
            columns[i] = new SqlColumn(name, declared, kind == 0 ? null : (SqlStorageClass)kind, OptionalString(ref r));
        }
        return columns;
    }

    public static void Error(WireWriter w, SqlError error)
    {
        w.String(error.SqlState);
        w.String(error.Message);
        w.Int32(error.SqliteCode);
    }

    public static SqlError Error(ref WireReader r) => new(r.String(), r.String(), r.Int32());

    public static void OptionalError(WireWriter w, SqlError? error)
    {
        w.Byte(error is null ? (byte)0 : (byte)1);
        if (error is not null)
        {
            Error(w, error);
        }
    }

    public static SqlError? OptionalError(ref WireReader r) => r.Byte() == 0 ? null : Error(ref r);

    /// <summary>Ends a chunk's rows with how the fetch ended.</summary>
    public static void ChunkEnd(WireWriter w, in SqlFetchResult result)
    {
        w.Byte(0);
        w.Byte(result.Suspended ? (byte)1 : (byte)0);
        if (!result.Suspended)
        {
            w.Int64(result.Rows);
            w.Int64(result.Changes);
            w.String(result.CommandVerb);
            OptionalError(w, result.Error);
        }
    }

    /// <summary>Reads the next row of a chunk into <paramref name="row"/> (grown as needed); false at the chunk's end.</summary>
    public static bool NextRow(ref WireReader r, ref SqlValue[] row, out int count)
    {
        count = 0;
        if (r.Byte() == 0)
        {
            return false;
        }
        count = Count(ref r);
        if (row.Length < count)
        {
            row = new SqlValue[count];
        }
        for (var i = 0; i < count; i++)
        {
            row[i] = Value(ref r);
        }
        return true;
    }

    /// <summary>Reads what follows a chunk's rows: null when suspended, else the completed fetch.</summary>
    public static SqlFetchResult? ChunkResult(ref WireReader r)
    {
        if (r.Byte() == 1)
        {
            return null;
        }
        return new SqlFetchResult(false, r.Int64(), r.Int64(), r.String(), OptionalError(ref r));
    }

    /// <summary>Reads a little-endian u64 at <paramref name="offset"/> without a reader.</summary>
    public static ulong UInt64At(ReadOnlySpan<byte> payload, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(payload[offset..]);
}

/// <summary>Writes fetched rows into a call's answer, counting what they take so the answer stays bounded.</summary>
internal sealed class SqlChunkWriter(WireWriter w) : ISqlRowSink
{
    public int Rows { get; private set; }

    public int Bytes => w.Written.Length - _start;

    private readonly int _start = w.Written.Length;

    public void WriteRow(ReadOnlySpan<SqlValue> row)
    {
        w.Byte(1);
        SqlWire.Values(w, row);
        Rows++;
    }
}
