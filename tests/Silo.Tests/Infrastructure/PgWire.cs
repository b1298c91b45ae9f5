using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL wire client that shows what the server sent, byte for byte: the simple protocol's text results with
/// the type OIDs of their RowDescription, and hand-built extended-protocol messages (binary parameters no driver
/// would send). Logs in without a password (a default tenant without requirepass).
/// </summary>
internal sealed class PgWire : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private PgWire(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>One statement's outcome: its columns (name, type OID), its rows as text (null for NULL), its tag or its error.</summary>
    public sealed record Result((string Name, uint Oid)[] Columns, List<byte[]?[]> Rows, string? Tag, string? SqlState, string? Message);

    public static async Task<PgWire> ConnectAsync(int port, string user = "default", string database = "default")
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port);
        var wire = new PgWire(tcp);
        var body = new List<byte>();
        body.AddRange([0, 3, 0, 0]);
        foreach (var part in new[] { "user", user, "database", database })
        {
            body.AddRange(Encoding.UTF8.GetBytes(part));
            body.Add(0);
        }
        body.Add(0);
        var startup = new byte[4 + body.Count];
        BinaryPrimitives.WriteInt32BigEndian(startup, startup.Length);
        body.CopyTo(startup, 4);
        await wire._stream.WriteAsync(startup);
        var results = await wire.ReadUntilReadyAsync();
        if (results.Count > 0 && results[^1].SqlState is { } state)
        {
            throw new InvalidOperationException($"login failed: {state} {results[^1].Message}");
        }
        return wire;
    }

    /// <summary>A Query message; one result per statement that answered (rows or a tag), the error last if there was one.</summary>
    public async Task<List<Result>> QueryAsync(string sql)
    {
        await _stream.WriteAsync(Message('Q', CString(sql)));
        return await ReadUntilReadyAsync();
    }

    /// <summary>Sends frontend messages built by the helpers below, then reads up to ReadyForQuery.</summary>
    public async Task<List<Result>> SendAsync(params byte[][] messages)
    {
        foreach (var message in messages)
        {
            await _stream.WriteAsync(message);
        }
        return await ReadUntilReadyAsync();
    }

    public static byte[] Parse(string sql, params uint[] oids)
    {
        var body = new List<byte>();
        body.AddRange(CString(""));
        body.AddRange(CString(sql));
        body.AddRange(Int16((short)oids.Length));
        foreach (var oid in oids)
        {
            body.AddRange(Int32((int)oid));
        }
        return Message('P', [.. body]);
    }

    /// <summary>A Bind of the unnamed statement with every parameter in binary (null for NULL) and text results.</summary>
    public static byte[] BindBinary(params byte[]?[] parameters)
    {
        var body = new List<byte>();
        body.AddRange(CString(""));
        body.AddRange(CString(""));
        body.AddRange(Int16(1));
        body.AddRange(Int16(1));
        body.AddRange(Int16((short)parameters.Length));
        foreach (var parameter in parameters)
        {
            body.AddRange(Int32(parameter?.Length ?? -1));
            body.AddRange(parameter ?? []);
        }
        body.AddRange(Int16(0));
        return Message('B', [.. body]);
    }

    public static byte[] DescribePortal() => Message('D', [(byte)'P', 0]);

    public static byte[] Execute() => Message('E', [0, 0, 0, 0, 0]);

    public static byte[] Sync() => Message('S', []);

    public static byte[] Int16(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] CString(string text) => [.. Encoding.UTF8.GetBytes(text), 0];

    private static byte[] Message(char type, byte[] body)
    {
        var message = new byte[5 + body.Length];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        return message;
    }

    private async Task<List<Result>> ReadUntilReadyAsync()
    {
        var results = new List<Result>();
        (string, uint)[] columns = [];
        var rows = new List<byte[]?[]>();
        var header = new byte[5];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                await _stream.ReadExactlyAsync(header, deadline.Token);
            }
            catch (EndOfStreamException)
            {
                throw new IOException("the server closed the connection before ReadyForQuery");
            }
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
            await _stream.ReadExactlyAsync(body, deadline.Token);
            switch ((char)header[0])
            {
                case 'T':
                    columns = new (string, uint)[BinaryPrimitives.ReadInt16BigEndian(body)];
                    var at = 2;
                    for (var i = 0; i < columns.Length; i++)
                    {
                        var end = Array.IndexOf(body, (byte)0, at);
                        var name = Encoding.UTF8.GetString(body, at, end - at);
                        at = end + 1 + 6;
                        columns[i] = (name, BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(at)));
                        at += 12;
                    }
                    break;
                case 'D':
                    var fields = new byte[]?[BinaryPrimitives.ReadInt16BigEndian(body)];
                    var position = 2;
                    for (var i = 0; i < fields.Length; i++)
                    {
                        var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(position));
                        position += 4;
                        if (length >= 0)
                        {
                            fields[i] = body.AsSpan(position, length).ToArray();
                            position += length;
                        }
                    }
                    rows.Add(fields);
                    break;
                case 'C':
                    results.Add(new Result(columns, rows, Encoding.UTF8.GetString(body, 0, body.Length - 1), null, null));
                    columns = [];
                    rows = [];
                    break;
                case 'E':
                    string? code = null, message = null;
                    for (var i = 0; i < body.Length && body[i] != 0;)
                    {
                        var end = Array.IndexOf(body, (byte)0, i + 1);
                        var value = Encoding.UTF8.GetString(body, i + 1, end - i - 1);
                        if (body[i] == 'C')
                        {
                            code = value;
                        }
                        else if (body[i] == 'M')
                        {
                            message = value;
                        }
                        i = end + 1;
                    }
                    results.Add(new Result(columns, rows, null, code, message));
                    columns = [];
                    rows = [];
                    break;
                case 'Z':
                    return results;
                case 'R' when BinaryPrimitives.ReadInt32BigEndian(body) != 0:
                    throw new InvalidOperationException("the server asked for a password");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.WriteAsync(Message('X', []));
        }
        catch (IOException)
        {
            // Already closed by the server.
        }
        _tcp.Dispose();
    }
}
