using System.Net.Sockets;
using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>
/// Mutated RESP traffic against a real silo: well-formed commands of every family, damaged and pipelined,
/// sent by several connections (some never authenticated) into one tenant while a client of another tenant
/// checks that PING keeps answering. After each burst the silo must still serve, must not have logged an
/// unhandled exception, and its memory must come back down.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class RespFuzzTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    /// <summary>How long a worker waits for more reply bytes before it sends its next input.</summary>
    internal const int QuietMs = 5;

    private const string Tenant = "fuzz";
    private const string TenantPassword = "fuzz-pw";
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"), "--requirepass", "probe-pw");
        using var admin = new AdminClient(_silo);
        await admin.CreateOrFailAsync(Tenant, TenantPassword);
    }

    public async Task DisposeAsync() => await _silo!.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task MutatedRespTrafficNeitherCrashesStallsNorKeepsMemory()
    {
        var silo = _silo!;
        var run = new FuzzRun(output, silo, FuzzBudget.FromEnvironment(TimeSpan.FromSeconds(12), 2));
        var corpus = Corpus();
        using var probeSocket = RespSocket.Connect(silo.Port);
        Assert.Equal("+OK\r\n", probeSocket.Call("AUTH", "probe-pw"));
        await run.RunAsync("PING", _ => Ping(probeSocket), (mutator, until) => Fuzz(silo.Port, corpus, mutator, until));

        // Still serving, in the fuzzed tenant and the other one, and nothing went unhandled.
        using var check = RespSocket.Connect(silo.Port);
        Assert.Equal("+OK\r\n", check.Call("AUTH", Tenant, TenantPassword));
        Assert.Equal("+OK\r\n", check.Call("SET", "after-fuzz", "yes"));
        Assert.Equal("$3\r\nyes\r\n", check.Call("GET", "after-fuzz"));
        Assert.Equal("+PONG\r\n", probeSocket.Call("PING"));
        run.AssertNothingUnhandled();
    }

    private static async Task Ping(RespSocket socket)
    {
        await Task.Yield();
        var reply = socket.Call("PING");
        if (reply != "+PONG\r\n")
        {
            throw new InvalidOperationException($"PING answered {reply}");
        }
    }

    /// <summary>One worker: sends mutated pipelines on a connection it replaces now and then; returns the inputs sent.</summary>
    private static long Fuzz(int port, IReadOnlyList<byte[]> corpus, Mutator mutator, DateTime until)
    {
        var random = mutator.Random;
        var buffer = new byte[64 * 1024];
        long sent = 0;
        TcpClient? client = null;
        var left = 0;
        try
        {
            while (DateTime.UtcNow < until)
            {
                if (client is null || left-- <= 0)
                {
                    client?.Dispose();
                    client = Open(port, authenticate: random.Next(5) != 0, buffer);
                    left = random.Next(1, 40);
                }
                var input = mutator.Pipeline(corpus, 6, mutateShare: 0.7);
                try
                {
                    var stream = client.GetStream();
                    stream.Write(input);
                    sent++;
                    // Drain what comes back until the server goes quiet for a moment; a blocked or subscribed
                    // connection simply goes quiet and is replaced later.
                    client.ReceiveTimeout = QuietMs;
                    while (stream.Read(buffer) > 0)
                    {
                    }
                    // Read returned 0: the server closed the connection (a protocol error does that).
                    left = 0;
                }
                catch (IOException)
                {
                    // Quiet (the receive timeout) or closed by the server.
                    if (!client.Connected)
                    {
                        left = 0;
                    }
                }
            }
        }
        finally
        {
            client?.Dispose();
        }
        return sent;
    }

    private static TcpClient Open(int port, bool authenticate, byte[] buffer)
    {
        var client = new TcpClient { NoDelay = true };
        client.Connect("127.0.0.1", port);
        if (authenticate)
        {
            var stream = client.GetStream();
            client.ReceiveTimeout = 10_000;
            stream.Write(Frame("AUTH", Tenant, TenantPassword));
            var n = stream.Read(buffer);
            if (n < 5 || Encoding.ASCII.GetString(buffer, 0, n) != "+OK\r\n")
            {
                throw new InvalidOperationException("the fuzz tenant's AUTH failed: " + Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        return client;
    }

    internal static byte[] Frame(params string[] args)
    {
        var frame = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            frame.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }
        return Encoding.UTF8.GetBytes(frame.ToString());
    }

    /// <summary>Well-formed commands of every family the gateway serves (nothing that changes server-wide settings).</summary>
    private static List<byte[]> Corpus()
    {
        var big = new string('v', 2000);
        string[][] commands =
        [
            ["PING"], ["ECHO", "hello"], ["SET", "k", "v"], ["SET", "k", big, "EX", "100"], ["GET", "k"], ["GETRANGE", "k", "0", "-1"],
            ["SETRANGE", "k", "5", "xyz"], ["APPEND", "k", "tail"], ["INCR", "n"], ["INCRBY", "n", "9223372036854775806"],
            ["INCRBYFLOAT", "f", "1.5e10"], ["DECR", "n"], ["MSET", "a", "1", "b", "2"], ["MGET", "a", "b", "c"], ["STRLEN", "k"],
            ["SETBIT", "bits", "7", "1"], ["GETBIT", "bits", "100"], ["BITCOUNT", "bits"], ["BITPOS", "bits", "1"],
            ["BITFIELD", "bf", "SET", "i8", "0", "100", "INCRBY", "u4", "4", "3", "GET", "i16", "0"], ["BITOP", "AND", "dest", "bits", "k"],
            ["DEL", "a"], ["EXISTS", "k", "a"], ["EXPIRE", "k", "100"], ["PEXPIRE", "k", "100000"], ["TTL", "k"], ["PERSIST", "k"],
            ["TYPE", "k"], ["RENAME", "k", "k2"], ["COPY", "k2", "k3"], ["KEYS", "*"], ["SCAN", "0", "MATCH", "*", "COUNT", "10"],
            ["RANDOMKEY"], ["DBSIZE"], ["SELECT", "3"], ["SELECT", "0"], ["OBJECT", "ENCODING", "k"],
            ["HSET", "h", "f1", "v1", "f2", "v2"], ["HGET", "h", "f1"], ["HGETALL", "h"], ["HINCRBY", "h", "n", "5"],
            ["HINCRBYFLOAT", "h", "x", "0.1"], ["HDEL", "h", "f1"], ["HSCAN", "h", "0"], ["HRANDFIELD", "h", "-5", "WITHVALUES"],
            ["LPUSH", "l", "a", "b", "c"], ["RPUSH", "l", "d"], ["LRANGE", "l", "0", "-1"], ["LINDEX", "l", "-1"], ["LPOP", "l", "2"],
            ["LINSERT", "l", "BEFORE", "d", "x"], ["LSET", "l", "0", "y"], ["LREM", "l", "0", "x"], ["LTRIM", "l", "0", "10"],
            ["LPOS", "l", "y", "RANK", "-1"], ["LMOVE", "l", "l2", "LEFT", "RIGHT"], ["BLPOP", "empty", "0.05"],
            ["SADD", "s", "a", "b", "c"], ["SMEMBERS", "s"], ["SISMEMBER", "s", "a"], ["SINTER", "s", "s2"], ["SUNIONSTORE", "s3", "s", "s2"],
            ["SPOP", "s", "2"], ["SRANDMEMBER", "s", "-10"], ["SMOVE", "s", "s2", "a"], ["SSCAN", "s", "0", "COUNT", "1000"],
            ["ZADD", "z", "1", "a", "2.5", "b", "-inf", "c"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZRANGEBYSCORE", "z", "(1", "+inf"],
            ["ZRANGEBYLEX", "z", "[a", "+"], ["ZINCRBY", "z", "3", "a"], ["ZRANK", "z", "a"], ["ZREM", "z", "a"], ["ZPOPMIN", "z", "2"],
            ["ZUNIONSTORE", "z3", "2", "z", "z2", "WEIGHTS", "1", "2"], ["ZINTERCARD", "2", "z", "z2"], ["BZPOPMAX", "zempty", "0.05"],
            ["ZRANDMEMBER", "z", "3", "WITHSCORES"], ["ZSCAN", "z", "0"],
            ["MULTI"], ["EXEC"], ["DISCARD"], ["WATCH", "k"], ["UNWATCH"],
            ["SUBSCRIBE", "ch"], ["PSUBSCRIBE", "c*"], ["UNSUBSCRIBE"], ["PUBLISH", "ch", "msg"], ["PUBSUB", "CHANNELS"],
            ["CLIENT", "SETNAME", "fuzzer"], ["CLIENT", "ID"], ["CLIENT", "LIST"], ["CLIENT", "INFO"], ["HELLO", "3"], ["HELLO", "2"],
            ["INFO"], ["TIME"], ["COMMAND", "COUNT"], ["COMMAND", "INFO", "GET"], ["ROLE"], ["TYPE", "h"], ["FLUSHDB"],
        ];
        var corpus = new List<byte[]>();
        foreach (var command in commands)
        {
            corpus.Add(Frame(command));
        }
        // Inline commands, a MULTI block and a large multibulk, whose headers mutations turn extreme.
        corpus.Add("SET inline \"quoted value\" EX 10\r\n"u8.ToArray());
        corpus.Add("GET inline\r\n"u8.ToArray());
        corpus.Add([.. Frame("MULTI"), .. Frame("INCR", "n"), .. Frame("LPUSH", "l", "q"), .. Frame("EXEC")]);
        var many = new string[201];
        many[0] = "SADD";
        many[1] = "many";
        for (var i = 2; i < many.Length; i++)
        {
            many[i] = "m" + i;
        }
        corpus.Add(Frame(many));
        return corpus;
    }
}
