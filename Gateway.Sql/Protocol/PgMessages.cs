using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql.Protocol;

/// <summary>The backend messages of protocol v3 (PostgreSQL docs, "Message Formats").</summary>
internal static class PgMessages
{
    public const int ProtocolVersion3 = 196608;
    public const int SslRequestCode = 80877103;
    public const int GssEncRequestCode = 80877104;
    public const int CancelRequestCode = 80877102;

    public static void AuthenticationOk(PgMessageBuffer b) => Authentication(b, 0);

    public static void Authentication(PgMessageBuffer b, int code, ReadOnlySpan<byte> data = default)
    {
        b.Begin((byte)'R');
        b.Int32(code);
        b.Bytes(data);
        b.End();
    }

    public static void ParameterStatus(PgMessageBuffer b, string name, string value)
    {
        b.Begin((byte)'S');
        b.String(name);
        b.String(value);
        b.End();
    }

    public static void BackendKeyData(PgMessageBuffer b, int processId, int secret)
    {
        b.Begin((byte)'K');
        b.Int32(processId);
        b.Int32(secret);
        b.End();
    }

    public static void ReadyForQuery(PgMessageBuffer b, SqlTransactionState state)
    {
        b.Begin((byte)'Z');
        b.Byte((byte)state);
        b.End();
    }

    public static void Error(PgMessageBuffer b, string severity, string sqlState, string message) =>
        Notice(b, (byte)'E', severity, sqlState, message);

    public static void Notice(PgMessageBuffer b, byte type, string severity, string sqlState, string message)
    {
        b.Begin(type);
        b.Byte((byte)'S');
        b.String(severity);
        b.Byte((byte)'V');
        b.String(severity);
        b.Byte((byte)'C');
        b.String(sqlState);
        b.Byte((byte)'M');
        b.String(message);
        b.Byte(0);
        b.End();
    }

    public static void CommandComplete(PgMessageBuffer b, string tag)
    {
        b.Begin((byte)'C');
        b.String(tag);
        b.End();
    }

    public static void Empty(PgMessageBuffer b, char type)
    {
        b.Begin((byte)type);
        b.End();
    }

    public static void RowDescription(PgMessageBuffer b, IReadOnlyList<string> names, ReadOnlySpan<PgType> types, ReadOnlySpan<short> formats)
    {
        b.Begin((byte)'T');
        b.Int16((short)names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            b.String(names[i]);
            b.Int32(0); // table oid
            b.Int16(0); // column number
            b.Int32((int)types[i].Oid);
            b.Int16(types[i].Length);
            b.Int32(-1); // type modifier
            b.Int16(formats[i]);
        }
        b.End();
    }

    public static void ParameterDescription(PgMessageBuffer b, ReadOnlySpan<uint> oids)
    {
        b.Begin((byte)'t');
        b.Int16((short)oids.Length);
        foreach (var oid in oids)
        {
            b.Int32((int)oid);
        }
        b.End();
    }

    /// <summary>The completion tag PostgreSQL gives a command: "INSERT 0 n", "UPDATE n", "SELECT n", or the command's name.</summary>
    public static string Tag(string verb, long rows, long changes) => verb switch
    {
        "INSERT" => $"INSERT 0 {changes}",
        "UPDATE" or "DELETE" => $"{verb} {changes}",
        "SELECT" => $"SELECT {rows}",
        "" => "SELECT 0",
        _ => verb,
    };
}
