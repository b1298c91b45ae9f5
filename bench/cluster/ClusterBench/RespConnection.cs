using System.Net.Sockets;
using System.Text;

namespace IceFire.Cluster.Bench;

/// <summary>
/// One RESP connection with one command in flight at a time. Replies are read only as far as this tool needs:
/// simple strings and errors (SET, AUTH), which is all it sends. Not safe for concurrent callers.
/// </summary>
internal sealed class RespConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _reply = new byte[4096];

    private RespConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RespConnection> OpenAsync(string endpoint, CancellationToken cancel = default)
    {
        var colon = endpoint.LastIndexOf(':');
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..]), cancel);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new RespConnection(client);
    }

    /// <summary>Encodes a command as a RESP array of bulk strings; done once per distinct command.</summary>
    public static byte[] Encode(params string[] parts)
    {
        var sb = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var p in parts) sb.Append('$').Append(Encoding.UTF8.GetByteCount(p)).Append("\r\n").Append(p).Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Sends an encoded command and returns its one-line reply without the CRLF ("+OK", "-ERR ...").</summary>
    public async Task<string> CallAsync(byte[] command, CancellationToken cancel = default)
    {
        await _stream.WriteAsync(command, cancel);
        var length = 0;
        while (true)
        {
            var n = await _stream.ReadAsync(_reply.AsMemory(length), cancel);
            if (n == 0) throw new IOException("the server closed the connection");
            length += n;
            if (length >= 2 && _reply[length - 2] == '\r' && _reply[length - 1] == '\n') break;
            if (length == _reply.Length) throw new IOException("reply longer than this tool reads");
        }

        return Encoding.UTF8.GetString(_reply, 0, length - 2);
    }

    public void Dispose() => _client.Dispose();
}
