using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>
/// Limits on what one client can make the silo hold or spend: output and query buffers, read backpressure, the
/// MULTI queue, maxclients, parsing cost, and commands of a client that has gone.
/// </summary>
public sealed class ClientLimitTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    private int Port => _silo!.Port;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync(_temp.Sub("data"));

    public async Task DisposeAsync() => await _silo!.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MaxClientsRefusesTheConnectionPastTheLimitWithRedisError()
    {
        using var admin = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", admin.Call("CONFIG", "SET", "maxclients", "2"));
        Assert.Equal("*2\r\n$10\r\nmaxclients\r\n$1\r\n2\r\n", admin.Call("CONFIG", "GET", "maxclients"));
        using var second = RespSocket.Connect(Port);
        Assert.Equal("+PONG\r\n", second.Call("PING"));
        using var third = RespSocket.Connect(Port);
        Assert.Equal("-ERR max number of clients reached\r\n", third.ReadReply());
        Assert.True(third.IsClosedByServer());
        Assert.Contains("rejected_connections:1\r\n", admin.Call("INFO", "stats"));
        Assert.Equal("+OK\r\n", admin.Call("CONFIG", "SET", "maxclients", "10000"));
    }

    [Fact]
    public void LimitsAreConfigParametersWithRedisDefaultsAndChecks()
    {
        using var socket = RespSocket.Connect(Port);
        Assert.Equal("*2\r\n$26\r\nclient-output-buffer-limit\r\n$67\r\nnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\r\n",
            socket.Call("CONFIG", "GET", "client-output-buffer-limit"));
        Assert.Equal("*2\r\n$25\r\nclient-query-buffer-limit\r\n$10\r\n1073741824\r\n", socket.Call("CONFIG", "GET", "client-query-buffer-limit"));
        Assert.Equal("+OK\r\n", socket.Call("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 512kb 10 pubsub 1gb 0 0"));
        Assert.Equal("*2\r\n$26\r\nclient-output-buffer-limit\r\n$74\r\nnormal 1048576 524288 10 slave 268435456 67108864 60 pubsub 1073741824 0 0\r\n",
            socket.Call("CONFIG", "GET", "client-output-buffer-limit"));
        Assert.Equal("-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.\r\n",
            socket.Call("CONFIG", "SET", "client-output-buffer-limit", "bogus 1 1 1"));
        Assert.Equal("-ERR CONFIG SET failed (possibly related to argument 'client-query-buffer-limit') - argument must be between 1048576 and 9223372036854775807 inclusive\r\n",
            socket.Call("CONFIG", "SET", "client-query-buffer-limit", "1000"));
        Assert.Equal("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer\r\n",
            socket.Call("CONFIG", "SET", "maxclients", "x"));
        Assert.Contains("client_output_buffer_limit_disconnections:0\r\n", socket.Call("INFO", "stats"));
    }

    [Fact]
    public async Task AClientThatDoesNotReadIsClosedAtTheSoftLimitWhileOthersAreServed()
    {
        using var admin = RespSocket.Connect(Port);
        var value = new string('v', 512 * 1024);
        Assert.Equal("+OK\r\n", admin.Call("SET", "big", value));
        Assert.Equal("+OK\r\n", admin.Call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 256kb 1"));
        using var reader = RespSocket.Connect(Port);
        using var idle = RespSocket.Connect(Port);
        var pipeline = Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", 2000);
        using var stalled = new TcpClient("127.0.0.1", Port);
        var sender = Task.Run(() =>
        {
            try
            {
                stalled.GetStream().Write(pipeline);
            }
            catch (IOException)
            {
                // Closed by the server while the pipeline was still going out: what this test expects.
            }
        });
        // A client that reads its replies is served meanwhile, large replies and all, and PING stays prompt.
        idle.ReadTimeout = TimeSpan.FromSeconds(5);
        var deadline = Stopwatch.StartNew();
        while (!Info(admin).Contains("client_output_buffer_limit_disconnections:1\r\n"))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "the client that does not read was not closed: " + Info(admin));
            Assert.Equal("+PONG\r\n", idle.Call("PING"));
            Assert.Equal(value.Length + 11, reader.Call("GET", "big").Length);
        }
        await sender.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("+OK\r\n", admin.Call("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"));
    }

    [Fact]
    public async Task UnauthenticatedClientsGetRedisLimitsAndTexts()
    {
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("auth"), true, "--requirepass", "pw");
        using var many = RespSocket.Connect(silo.Port);
        many.Send("*11\r\n");
        Assert.Equal("-ERR Protocol error: unauthenticated multibulk length\r\n", many.ReadReply());
        Assert.True(many.IsClosedByServer());
        using var large = RespSocket.Connect(silo.Port);
        large.Send("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
        Assert.Equal("-ERR Protocol error: unauthenticated bulk length\r\n", large.ReadReply());
        Assert.True(large.IsClosedByServer());
        using var client = RespSocket.Connect(silo.Port);
        Assert.Equal("+OK\r\n", client.Call("AUTH", "pw"));
        Assert.Equal("+OK\r\n", client.Call("SET", "k", new string('x', 20_000)));
    }

    [Fact]
    public void TheMultiQueueIsCappedByTheQueryBufferLimit()
    {
        using var socket = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", socket.Call("CONFIG", "SET", "client-query-buffer-limit", "1mb"));
        try
        {
            Assert.Equal("+OK\r\n", socket.Call("MULTI"));
            var value = new string('q', 100 * 1024);
            var refused = -1;
            for (var i = 0; i < 20 && refused < 0; i++)
            {
                var reply = socket.Call("SET", "m" + i, value);
                if (reply != "+QUEUED\r\n")
                {
                    Assert.Equal("-ERR queued commands exceed client-query-buffer-limit, transaction discarded\r\n", reply);
                    refused = i;
                }
            }
            Assert.Equal(10, refused);
            Assert.Equal("+QUEUED\r\n", socket.Call("SET", "after", "x"));
            Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", socket.Call("EXEC"));
            Assert.Equal("$-1\r\n", socket.Call("GET", "m0"));
        }
        finally
        {
            Assert.Equal("+OK\r\n", socket.Call("CONFIG", "SET", "client-query-buffer-limit", "1gb"));
        }
    }

    [Fact]
    public void ARequestPastTheQueryBufferLimitClosesTheClient()
    {
        using var admin = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", admin.Call("CONFIG", "SET", "client-query-buffer-limit", "1mb"));
        try
        {
            using var client = RespSocket.Connect(Port);
            try
            {
                client.Send("*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$3000000\r\n");
                client.Send(new byte[2 * 1024 * 1024]);
            }
            catch (IOException)
            {
                // Closed while the value was still going out.
            }
            Assert.True(client.IsClosedByServer());
            Assert.Contains("client_query_buffer_limit_disconnections:1\r\n", Info(admin));
            Assert.Equal("$-1\r\n", admin.Call("GET", "q"));
        }
        finally
        {
            Assert.Equal("+OK\r\n", admin.Call("CONFIG", "SET", "client-query-buffer-limit", "1gb"));
        }
    }

    [Fact]
    public void CommandsOfAClientThatClosedAreNotRun()
    {
        const int total = 500;
        using var admin = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", admin.Call("SET", "big", new string('c', 1024 * 1024)));
        long id;
        using (var client = RespSocket.Connect(Port))
        {
            id = long.Parse(client.Call("CLIENT", "ID")[1..^2], System.Globalization.CultureInfo.InvariantCulture);
            // Half a gigabyte of replies it will never read, each followed by an INCR that counts what ran;
            // closing with replies unread resets the connection.
            client.Send(Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n", total));
        }
        var deadline = Stopwatch.StartNew();
        while (admin.Call("CLIENT", "LIST").Contains($"id={id} "))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"client {id} is still listed");
        }
        var reply = admin.Call("GET", "counter");
        var ran = reply == "$-1\r\n" ? 0 : long.Parse(reply.Split("\r\n")[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ran < total / 2, $"{ran} of the {total} commands ran after the client had gone");
    }

    [Fact]
    public async Task CommandsSentBeforeAHalfCloseAllRunAndAreAnswered()
    {
        // A client that sends its commands and then shuts down its sending side (nc -N, a script piping into a socket)
        // still reads: Redis runs everything that arrived before the FIN and answers it.
        const int total = 40_000;
        using var admin = RespSocket.Connect(Port);
        using var client = new TcpClient("127.0.0.1", Port);
        var stream = client.GetStream();
        var reader = Task.Run(async () =>
        {
            var received = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk)) > 0)
            {
                received.Write(chunk, 0, read);
            }
            return Encoding.ASCII.GetString(received.ToArray());
        });
        await stream.WriteAsync(Repeat("*2\r\n$4\r\nINCR\r\n$9\r\nhalfclose\r\n", total));
        client.Client.Shutdown(SocketShutdown.Send);
        var replies = await reader.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal($"${total.ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{total}\r\n",
            admin.Call("GET", "halfclose"));
        Assert.EndsWith($":{total}\r\n", replies);
    }

    [Fact]
    public void ParsingCostGrowsLinearlyWithTheArgumentCount()
    {
        using var socket = RespSocket.Connect(Port);
        socket.ReadTimeout = TimeSpan.FromSeconds(60);
        // The frames are built before the clock starts: only sending, parsing and the reply are timed.
        var small = EchoFrame(25_000);
        var large = EchoFrame(400_000);
        for (var i = 0; i < 3; i++)
        {
            // Until the parser's code is fully compiled, the first tries run slower.
            EchoMany(socket, small);
            EchoMany(socket, large);
        }
        // Each try parses 400,000 arguments, in sixteen frames of 25,000 or in one frame: the tries last about as long,
        // so the machine's other work weighs on both alike. Sizes alternate, so a burst of it lands on both, and each
        // keeps its fastest try: other work only ever adds time, so a minimum is far steadier than any single try.
        var smallTimes = new List<double>();
        var largeTimes = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            smallTimes.Add(Time(() =>
            {
                for (var j = 0; j < 16; j++)
                {
                    EchoMany(socket, small);
                }
            }));
            largeTimes.Add(Time(() => EchoMany(socket, large)));
        }
        // A linear parser takes about as long for both (measured here: the one frame 1.06 times as long on an idle
        // machine, 0.7 times with both cores busy with other work); a quadratic one takes 16 times as long for the one
        // frame of 16 times the arguments (the quadratic parser this guards against took 16 times as long for 4 times
        // the arguments). 5 leaves a loaded machine five times the linear ratio and still fails a quadratic parser by a
        // factor of three.
        Assert.True(largeTimes.Min() < smallTimes.Min() * 5,
            $"16 frames of 25,000 arguments took {Join(smallTimes)} ms, one of 400,000 took {Join(largeTimes)} ms");
    }

    [Fact]
    public async Task PingIsAnsweredWhileAHugeRequestArrives()
    {
        using var huge = RespSocket.Connect(Port);
        huge.ReadTimeout = TimeSpan.FromSeconds(120);
        // Connections are spread over the socket threads: with three, one shares the huge request's.
        var pings = new[] { RespSocket.Connect(Port), RespSocket.Connect(Port), RespSocket.Connect(Port) };
        foreach (var p in pings)
        {
            p.ReadTimeout = TimeSpan.FromSeconds(5);
        }
        var members = new StringBuilder("*1000002\r\n$4\r\nSADD\r\n$1\r\ns\r\n");
        for (var i = 0; i < 1_000_000; i++)
        {
            var m = i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            members.Append("$6\r\n").Append(m).Append("\r\n");
        }
        var sadd = Task.Run(() => huge.Call(Encoding.ASCII.GetBytes(members.ToString())));
        while (!sadd.IsCompleted)
        {
            foreach (var p in pings)
            {
                // A stalled server fails this read after its 5 s timeout.
                Assert.Equal("+PONG\r\n", p.Call("PING"));
            }
        }
        Assert.Equal(":1000000\r\n", await sadd);
        foreach (var p in pings)
        {
            Assert.Equal("+PONG\r\n", p.Call("PING"));
            p.Dispose();
        }
    }

    [Fact]
    public async Task MemoryStaysBoundedUnderAClientThatDoesNotReadAndComesBackAfterIt()
    {
        using var admin = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", admin.Call("SET", "big", new string('m', 1024 * 1024)));
        Assert.Equal(1024 * 1024 + 12, admin.Call("GET", "big").Length);
        var before = RssMegabytes();
        long id;
        using (var client = RespSocket.Connect(Port))
        {
            id = long.Parse(client.Call("CLIENT", "ID")[1..^2], System.Globalization.CultureInfo.InvariantCulture);
            // 1,000 GETs of a 1 MiB value, never read: a gigabyte of replies the silo must not hold.
            var sender = Task.Run(() =>
            {
                try
                {
                    client.Send(Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", 1000));
                }
                catch (IOException)
                {
                }
            });
            var peak = before;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(3))
            {
                peak = Math.Max(peak, RssMegabytes());
                Assert.True(peak < before + 300, $"RSS went from {before} MB to {peak} MB under a client that does not read");
                Assert.Equal("+PONG\r\n", admin.Call("PING"));
            }
        }
        var deadline = Stopwatch.StartNew();
        while (admin.Call("CLIENT", "LIST").Contains($"id={id} "))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"client {id} is still listed");
        }
        long after;
        while ((after = RssMegabytes()) > before + 100)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"RSS stayed at {after} MB after the client left, from {before} MB before it");
            Assert.Equal("+PONG\r\n", admin.Call("PING"));
        }
    }

    [Fact]
    public void MemoryStaysBoundedWhenWritesAreInterleavedWithLargeReads()
    {
        using var admin = RespSocket.Connect(Port);
        Assert.Equal("+OK\r\n", admin.Call("SET", "big", new string('w', 1024 * 1024)));
        var before = RssMegabytes();
        using var client = RespSocket.Connect(Port);
        var id = client.Call("CLIENT", "ID")[1..^2];
        // A write after each 1 MiB read: the batch of a write pipeline must not hold a gigabyte of the reads' replies.
        var sender = Task.Run(() =>
        {
            try
            {
                client.Send(Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$4\r\nINCR\r\n$5\r\nmixed\r\n", 1000));
            }
            catch (IOException)
            {
            }
        });
        var peak = before;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            peak = Math.Max(peak, RssMegabytes());
            Assert.True(peak < before + 300, $"RSS went from {before} MB to {peak} MB under a client that does not read");
            var line = admin.Call("CLIENT", "LIST").Split('\n').First(l => l.Contains($"id={id} ", StringComparison.Ordinal));
            var omem = long.Parse(line.Split(' ').First(f => f.StartsWith("omem=", StringComparison.Ordinal))[5..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(omem < 12L << 20, $"{omem} bytes of replies held for a client that does not read");
        }
    }

    private long RssMegabytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_silo!.ProcessId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
            }
        }
        throw new InvalidOperationException("no VmRSS line");
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Join(List<double> times) =>
        string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)));

    private static byte[] EchoFrame(int count)
    {
        var frame = new StringBuilder().Append('*').Append(count + 1).Append("\r\n$4\r\nECHO\r\n");
        for (var i = 0; i < count; i++)
        {
            frame.Append("$1\r\nx\r\n");
        }
        return Encoding.ASCII.GetBytes(frame.ToString());
    }

    private static void EchoMany(RespSocket socket, byte[] frame) =>
        Assert.Equal("-ERR wrong number of arguments for 'echo' command\r\n", socket.Call(frame));

    private static string Info(RespSocket socket) => socket.Call("INFO", "stats");

    private static byte[] Repeat(string command, int count)
    {
        var one = Encoding.ASCII.GetBytes(command);
        var all = new byte[one.Length * count];
        for (var i = 0; i < count; i++)
        {
            one.CopyTo(all, i * one.Length);
        }
        return all;
    }
}
