using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>RESP over real TCP: pipelining, inline commands, malformed frames.</summary>
public sealed class ProtocolTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    private int Port => _silo!.Port;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync(_temp.Sub("data"));

    public async Task DisposeAsync() => await _silo!.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void PipelinedCommandsAnswerInOrder()
    {
        using var socket = RespSocket.Connect(Port);
        var pipeline = new System.Text.StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            pipeline.Append($"*3\r\n$3\r\nSET\r\n$4\r\np{i:D3}\r\n$3\r\n{i:D3}\r\n*2\r\n$3\r\nGET\r\n$4\r\np{i:D3}\r\n");
        }
        socket.Send(pipeline.ToString());
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("+OK\r\n", socket.ReadReply());
            Assert.Equal($"$3\r\n{i:D3}\r\n", socket.ReadReply());
        }
    }

    [Fact]
    public void FrameSplitAcrossWritesIsReassembled()
    {
        using var socket = RespSocket.Connect(Port);
        const string frame = "*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$11\r\nhello world\r\n";
        foreach (var c in frame)
        {
            socket.Send(c.ToString());
        }
        Assert.Equal("+OK\r\n", socket.ReadReply());
        Assert.Equal("$11\r\nhello world\r\n", socket.Call("GET", "split"));
    }

    [Fact]
    public void InlineCommandsWork()
    {
        using var socket = RespSocket.Connect(Port);
        socket.Send("SET inline \"two words\"\r\nGET inline\r\nPING\r\n");
        Assert.Equal("+OK\r\n", socket.ReadReply());
        Assert.Equal("$9\r\ntwo words\r\n", socket.ReadReply());
        Assert.Equal("+PONG\r\n", socket.ReadReply());
    }

    [Theory]
    [InlineData("*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n")]
    [InlineData("*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n")]
    [InlineData("*1\r\n$-2\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("SET \"unbalanced\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n")]
    public void MalformedInputGetsRedisErrorAndTheConnectionCloses(string input, string expected)
    {
        using var socket = RespSocket.Connect(Port);
        socket.Send(input);
        Assert.Equal(expected, socket.ReadReply());
        Assert.True(socket.IsClosedByServer());
        // The server stays healthy for everyone else.
        using var other = RespSocket.Connect(Port);
        Assert.Equal("+PONG\r\n", other.Call("PING"));
    }

    [Fact]
    public void UnknownCommandAndWrongArityKeepTheConnectionUsable()
    {
        using var socket = RespSocket.Connect(Port);
        Assert.Equal("-ERR unknown command 'NOPE', with args beginning with: 'a' 'b' \r\n", socket.Call("NOPE", "a", "b"));
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", socket.Call("GET"));
        Assert.Equal("+PONG\r\n", socket.Call("PING"));
    }

    [Fact]
    public void Resp3HelloSwitchesTheReplyShapes()
    {
        using var socket = RespSocket.Connect(Port);
        var hello = socket.Call("HELLO", "3");
        Assert.StartsWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n", hello);
        Assert.Equal("_\r\n", socket.Call("GET", "nothing-here"));
        Assert.Equal("-NOPROTO unsupported protocol version\r\n", socket.Call("HELLO", "4"));
    }

    [Fact]
    public async Task ExecIsAtomicForOtherClients()
    {
        const int PerTransaction = 50;
        const int Transactions = 20;
        var writer = Task.Run(() =>
        {
            using var socket = RespSocket.Connect(Port);
            for (var t = 0; t < Transactions; t++)
            {
                Assert.Equal("+OK\r\n", socket.Call("MULTI"));
                for (var i = 0; i < PerTransaction; i++)
                {
                    Assert.Equal("+QUEUED\r\n", socket.Call("INCR", "counter"));
                }
                Assert.StartsWith($"*{PerTransaction}\r\n", socket.Call("EXEC"));
            }
        });
        using var reader = RespSocket.Connect(Port);
        var seen = new HashSet<long>();
        while (!writer.IsCompleted)
        {
            var reply = reader.Call("GET", "counter");
            if (reply != "$-1\r\n")
            {
                var value = long.Parse(reply.Split("\r\n")[1], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(value % PerTransaction == 0, $"a reader saw {value}, half-way through a transaction");
                seen.Add(value);
            }
        }
        await writer;
        Assert.Equal($"${(PerTransaction * Transactions).ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{PerTransaction * Transactions}\r\n",
            reader.Call("GET", "counter"));
    }

    [Fact]
    public void LargeValueRoundTrips()
    {
        using var socket = RespSocket.Connect(Port);
        var value = new string('x', 3 * 1024 * 1024);
        Assert.Equal("+OK\r\n", socket.Call("SET", "big", value));
        Assert.Equal($":{value.Length}\r\n", socket.Call("STRLEN", "big"));
        Assert.Equal($"${value.Length}\r\n{value}\r\n", socket.Call("GET", "big"));
    }
}
