using System.Net.Sockets;
using System.Text;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>A raw RESP connection: sends bytes, reads whole replies back as their exact bytes.</summary>
internal sealed class RespSocket : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespSocket(int port, string? from = null)
    {
        // Any 127.0.0.0/8 address is the loopback's own: a test can connect from several client addresses.
        _client = from is null ? new TcpClient() : new TcpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(from), 0));
        _client.Connect("127.0.0.1", port);
        _client.NoDelay = true;
        _stream = _client.GetStream();
        _stream.ReadTimeout = 10_000;
    }

    public static RespSocket Connect(int port) => new(port);

    /// <summary>Connects from the loopback address <paramref name="from"/> (127.x.y.z), as a client on another host would.</summary>
    public static RespSocket ConnectFrom(int port, string from) => new(port, from);

    /// <summary>How long a read waits for the server before it fails with an <see cref="IOException"/> (10 s unless set).</summary>
    public TimeSpan ReadTimeout
    {
        set => _stream.ReadTimeout = (int)value.TotalMilliseconds;
    }

    public void Send(string raw) => _stream.Write(Encoding.UTF8.GetBytes(raw));

    /// <summary>Sends raw bytes; blocks while the server does not take them (TCP backpressure).</summary>
    public void Send(byte[] raw) => _stream.Write(raw);

    /// <summary>Sends a command as a multibulk frame.</summary>
    public void Command(params string[] args)
    {
        var frame = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            frame.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        Send(frame.ToString());
    }

    /// <summary>Sends a command and returns its whole reply as text (CRLFs kept).</summary>
    public string Call(params string[] args)
    {
        Command(args);
        return ReadReply();
    }

    /// <summary>Sends a raw frame and returns its whole reply.</summary>
    public string Call(byte[] frame)
    {
        Send(frame);
        return ReadReply();
    }

    /// <summary>Reads one complete reply, nested aggregates included.</summary>
    public string ReadReply()
    {
        var text = new StringBuilder();
        ReadValue(text);
        return text.ToString();
    }

    /// <summary>True when the server closed the connection (read returns 0 within the timeout).</summary>
    public bool IsClosedByServer()
    {
        try
        {
            return _start == _end && _stream.Read(_buffer, 0, 1) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private void ReadValue(StringBuilder text)
    {
        var line = ReadLine();
        text.Append(line).Append("\r\n");
        var type = line[0];
        var n = line.Length > 1 && long.TryParse(line.AsSpan(1), out var v) ? v : 0;
        switch (type)
        {
            case '$' or '=' or '!' when n >= 0:
                text.Append(ReadExactly((int)n + 2));
                break;
            case '*' or '~' or '>' when n > 0:
                for (var i = 0; i < n; i++)
                {
                    ReadValue(text);
                }
                break;
            case '%' or '|' when n > 0:
                for (var i = 0; i < n * 2; i++)
                {
                    ReadValue(text);
                }
                break;
        }
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            var b = ReadByte();
            if (b == '\r')
            {
                ReadByte();
                return Encoding.UTF8.GetString(bytes.ToArray());
            }
            bytes.Add(b);
        }
    }

    private string ReadExactly(int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = ReadByte();
        }
        return Encoding.UTF8.GetString(bytes);
    }

    private byte ReadByte()
    {
        if (_start == _end)
        {
            _start = 0;
            _end = _stream.Read(_buffer, 0, _buffer.Length);
            if (_end == 0)
            {
                throw new IOException("the server closed the connection");
            }
        }
        return _buffer[_start++];
    }

    public void Dispose() => _client.Dispose();
}
