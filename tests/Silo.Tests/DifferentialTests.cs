using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests;

/// <summary>
/// The same commands to redis-server 7 and to IceFire, replies compared byte for byte. Commands whose
/// replies depend on time or identity are left out (TIME, INFO, CLIENT ID, RANDOMKEY, SCAN cursors).
/// </summary>
/// <remarks>
/// One silo and one redis-server serve every sequence (<see cref="DifferentialServers"/>): each starts with FLUSHALL
/// on both, and whatever else a sequence leaves behind (a CONFIG SET) it leaves on both alike.
/// </remarks>
public sealed partial class DifferentialTests(ITestOutputHelper output, DifferentialServers servers) : IClassFixture<DifferentialServers>
{
    private readonly SiloProcess _silo = servers.Silo;
    private readonly RedisServerProcess _redis = servers.Redis;

    // Each command family adds its sequences in its own file (DifferentialTests.Hashes.cs, ...).
    static partial void AddBitCorpus(TheoryData<string, string[][]> corpus);

    static partial void AddHashCorpus(TheoryData<string, string[][]> corpus);

    static partial void AddListCorpus(TheoryData<string, string[][]> corpus);

    static partial void AddSetCorpus(TheoryData<string, string[][]> corpus);

    static partial void AddSortedSetCorpus(TheoryData<string, string[][]> corpus);

    static partial void AddPubSubCorpus(TheoryData<string, string[][]> corpus);

    static partial void AddHyperLogLogCorpus(TheoryData<string, string[][]> corpus);

    public static TheoryData<string, string[][]> Corpus()
    {
        var corpus = StringAndKeyCorpus();
        AddBitCorpus(corpus);
        AddHashCorpus(corpus);
        AddListCorpus(corpus);
        AddSetCorpus(corpus);
        AddSortedSetCorpus(corpus);
        AddPubSubCorpus(corpus);
        AddHyperLogLogCorpus(corpus);
        return corpus;
    }

    private static TheoryData<string, string[][]> StringAndKeyCorpus() => new()
    {
        { "set options", [
            ["SET", "k", "v"], ["GET", "k"], ["SET", "k", "w", "NX"], ["SET", "k", "w", "XX"], ["GET", "k"],
            ["SET", "n", "1", "XX"], ["SET", "k", "x", "GET"], ["SET", "missing", "x", "NX", "GET"], ["SET", "k", "y", "NX", "GET"],
            ["SET", "k", "v", "NX", "XX"], ["SET", "k", "v", "EX"], ["SET", "k", "v", "EX", "0"], ["SET", "k", "v", "EX", "-5"],
            ["SET", "k", "v", "EX", "abc"], ["SET", "k", "v", "PX", "9223372036854775807"], ["SET", "k", "v", "EX", "9223372036854775"],
            ["SET", "k", "v", "KEEPTTL", "EX", "10"], ["SET", "k", "v", "EX", "100"], ["TTL", "k"], ["SET", "k", "v2", "KEEPTTL"], ["TTL", "k"],
            ["SET", "k", "v3"], ["TTL", "k"], ["SET", "k", "v", "BOGUS"], ["SET", "k"], ["set", "K", "upper"], ["GET", "K"],
        ] },
        { "string family", [
            ["SETNX", "a", "1"], ["SETNX", "a", "2"], ["GET", "a"], ["SETEX", "b", "100", "x"], ["TTL", "b"], ["SETEX", "b", "0", "x"],
            ["PSETEX", "c", "-1", "x"], ["GETSET", "a", "9"], ["GETSET", "nokey", "1"], ["GETDEL", "a"], ["GETDEL", "a"], ["GET", "a"],
            ["GETEX", "b"], ["GETEX", "b", "PERSIST"], ["TTL", "b"], ["GETEX", "b", "EX", "50"], ["TTL", "b"], ["GETEX", "b", "EX", "1", "PX", "2"],
            ["GETEX", "nokey"], ["GETEX", "b", "BAD"], ["MSET", "x", "1", "y", "2"], ["MGET", "x", "y", "nokey"], ["MSET", "x"],
            ["MSET", "x", "1", "y"], ["MSETNX", "x", "5", "z", "6"], ["MSETNX", "p", "5", "q", "6"], ["MGET", "p", "q"],
        ] },
        { "numbers", [
            ["INCR", "n"], ["INCRBY", "n", "10"], ["DECR", "n"], ["DECRBY", "n", "5"], ["INCRBY", "n", "abc"], ["INCRBY", "n", "1.5"],
            ["SET", "n", "9223372036854775807"], ["INCR", "n"], ["SET", "n", "-9223372036854775808"], ["DECR", "n"],
            ["DECRBY", "n", "-9223372036854775808"], ["SET", "s", "hello"], ["INCR", "s"], ["SET", "s", " 1"], ["INCR", "s"],
            ["SET", "s", "01"], ["INCR", "s"], ["SET", "s", "+1"], ["INCR", "s"], ["INCRBYFLOAT", "f", "10.5"], ["INCRBYFLOAT", "f", "0.1"],
            ["INCRBYFLOAT", "f", "-5"], ["INCRBYFLOAT", "f", "abc"], ["INCRBYFLOAT", "f", "inf"], ["SET", "f", "3"], ["INCRBYFLOAT", "f", "1.5"],
            ["INCRBYFLOAT", "g", "0.1"], ["INCRBYFLOAT", "g", "0.2"], ["SET", "f", "x"], ["INCRBYFLOAT", "f", "1"],
        ] },
        { "ranges", [
            ["SET", "s", "Hello World"], ["APPEND", "s", "!"], ["APPEND", "new", "abc"], ["STRLEN", "s"], ["STRLEN", "nokey"],
            ["GETRANGE", "s", "0", "4"], ["GETRANGE", "s", "-3", "-1"], ["GETRANGE", "s", "5", "2"], ["GETRANGE", "s", "-1", "-5"],
            ["GETRANGE", "s", "0", "100"], ["GETRANGE", "s", "-100", "2"], ["GETRANGE", "nokey", "0", "1"], ["GETRANGE", "s", "a", "1"],
            ["SUBSTR", "s", "0", "2"], ["SETRANGE", "s", "6", "Redis"], ["GET", "s"], ["SETRANGE", "pad", "5", "x"], ["GET", "pad"],
            ["SETRANGE", "s", "-1", "x"], ["SETRANGE", "e", "3", ""], ["EXISTS", "e"], ["SETRANGE", "s", "0", ""],
            ["SETRANGE", "s", "536870912", "x"],
        ] },
        { "keys", [
            ["MSET", "a", "1", "b", "2", "c", "3"], ["DEL", "a", "b", "nokey"], ["EXISTS", "a", "c", "c"], ["UNLINK", "c"], ["TYPE", "c"],
            ["SET", "t", "1"], ["TYPE", "t"], ["EXPIRE", "t", "100"], ["TTL", "t"], ["EXPIRE", "t", "100", "NX"], ["EXPIRE", "t", "200", "XX"],
            ["EXPIRE", "t", "50", "GT"], ["EXPIRE", "t", "300", "GT"], ["EXPIRE", "t", "400", "LT"], ["EXPIRE", "t", "10", "LT"], ["TTL", "t"],
            ["EXPIRE", "t", "10", "NX", "XX"], ["EXPIRE", "t", "10", "GT", "LT"], ["EXPIRE", "t", "10", "FOO"], ["EXPIRE", "t", "abc"],
            ["EXPIRE", "t", "9223372036854775807"], ["PERSIST", "t"], ["PERSIST", "t"], ["TTL", "t"], ["PEXPIRE", "t", "100000"],
            ["EXPIREAT", "t", "99999999999"], ["EXPIRETIME", "t"], ["PEXPIRETIME", "t"], ["EXPIRETIME", "nokey"], ["PEXPIREAT", "t", "1"],
            ["EXISTS", "t"], ["EXPIRE", "nokey", "10"], ["SET", "r", "1"], ["RENAME", "r", "r2"], ["GET", "r2"], ["RENAME", "nokey", "x"],
            ["RENAME", "r2", "r2"], ["SET", "r3", "3"], ["RENAMENX", "r2", "r3"], ["RENAMENX", "r2", "r4"], ["RENAMENX", "r4", "r4"],
            ["COPY", "r3", "c1"], ["COPY", "r3", "c1"], ["COPY", "r3", "c1", "REPLACE"], ["COPY", "r3", "r3"], ["COPY", "r3", "c2", "DB", "1"],
            ["COPY", "r3", "c2", "DB", "99"], ["COPY", "r3", "c2", "DB", "x"], ["COPY", "r3", "c2", "BAD"], ["COPY", "nokey", "c3"],
            ["SELECT", "1"], ["GET", "c2"], ["SELECT", "0"], ["SELECT", "16"], ["SELECT", "x"], ["KEYS", "r*"], ["KEYS", "c?"],
            ["KEYS", "[rc]1"], ["DBSIZE"], ["FLUSHDB", "BAD"], ["FLUSHDB"], ["DBSIZE"], ["RANDOMKEY"],
        ] },
        { "connection", [
            ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["ECHO", "x"], ["ECHO"], ["AUTH", "x"], ["AUTH", "a", "b", "c"],
            ["CLIENT", "SETNAME", "my-name"], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "bad name"], ["CLIENT", "NOPE"], ["CLIENT"],
            ["CLIENT", "SETNAME"], ["COMMAND", "NOPE"], ["HELLO", "x"], ["HELLO", "2", "NOPE"], ["CONFIG", "GET", "databases"],
            ["CONFIG", "SET", "no-such-parameter", "1"], ["NOPE"], ["NOPE", "arg1", "arg2"], [""], ["get"], ["GeT", "x"],
            ["SCAN", "abc"], ["SCAN", "0", "COUNT", "0"], ["SCAN", "0", "COUNT", "x"], ["SCAN", "0", "BAD"],
        ] },
        { "transactions", [
            ["EXEC"], ["DISCARD"], ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["GET", "a"], ["PING"], ["LPUSH", "a", "x"], ["EXEC"],
            ["GET", "a"], ["MULTI"], ["MULTI"], ["SET", "b", "2"], ["DISCARD"], ["GET", "b"], ["MULTI"], ["NOPE"], ["SET", "c", "3"],
            ["EXEC"], ["GET", "c"], ["MULTI"], ["GET"], ["EXEC"], ["MULTI"], ["EXEC"], ["MULTI"], ["SELECT", "1"], ["SET", "d", "4"],
            ["SELECT", "0"], ["EXEC"], ["GET", "d"], ["SELECT", "1"], ["GET", "d"], ["DEL", "d"], ["SELECT", "0"],
            ["MULTI"], ["HSET", "h", "f", "v"], ["HGETALL", "h"], ["ZADD", "z", "1", "m"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["EXEC"],
        ] },
        { "object", [
            ["SET", "i", "123"], ["SET", "e", "short"], ["SET", "r", new string('r', 60)], ["SET", "big", "12345678901234567890"],
            ["OBJECT", "ENCODING", "i"], ["OBJECT", "ENCODING", "e"], ["OBJECT", "ENCODING", "r"], ["OBJECT", "ENCODING", "big"],
            ["OBJECT", "REFCOUNT", "i"], ["OBJECT", "REFCOUNT", "e"], ["OBJECT", "ENCODING", "nokey"], ["OBJECT", "FREQ", "i"],
            ["RPUSH", "l", "a"], ["OBJECT", "ENCODING", "l"], ["SADD", "si", "1", "2"], ["OBJECT", "ENCODING", "si"], ["SADD", "ss", "a"],
            ["OBJECT", "ENCODING", "ss"], ["HSET", "h", "f", "v"], ["OBJECT", "ENCODING", "h"], ["HSET", "hb", "f", new string('v', 65)],
            ["OBJECT", "ENCODING", "hb"], ["ZADD", "z", "1", "m"], ["OBJECT", "ENCODING", "z"], ["OBJECT", "NOPE", "i"], ["OBJECT", "ENCODING"],
            ["OBJECT", "ENCODING", "i", "extra"], ["OBJECT", "HELP"], ["OBJECT"],
        ] },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void RepliesMatchRedis(string family, string[][] commands) => CompareWithRedis(family, commands, resp3: false);

    [Theory]
    [MemberData(nameof(Corpus))]
    public void RepliesMatchRedisInResp3(string family, string[][] commands) => CompareWithRedis(family + " (RESP3)", commands, resp3: true);

    /// <summary>Runs <paramref name="commands"/> on both servers (after HELLO 3 when <paramref name="resp3"/>) and compares every reply.</summary>
    private void CompareWithRedis(string family, string[][] commands, bool resp3)
    {
        using var redis = RespSocket.Connect(_redis.Port);
        using var icefire = RespSocket.Connect(_silo.Port);
        redis.Call("FLUSHALL");
        icefire.Call("FLUSHALL");
        if (resp3)
        {
            // The HELLO replies differ (server version, client id); only what follows is compared.
            redis.Call("HELLO", "3");
            icefire.Call("HELLO", "3");
        }
        var mismatches = new List<string>();
        foreach (var command in commands)
        {
            var expected = redis.Call(command);
            var actual = icefire.Call(command);
            if (command[0] is "KEYS" or "HGETALL" or "HKEYS" or "HVALS" or "SMEMBERS" or "SINTER" or "SUNION" or "SDIFF" or "SINTERSTORE")
            {
                // These reply in no defined order (Redis: insertion or hash order; IceFire: byte order).
                expected = SortedElements(expected);
                actual = SortedElements(actual);
            }
            if (command is ["CLIENT" or "client", "ID" or "id"] or ["HELLO" or "hello", ..])
            {
                // Client ids count the connections each server has seen; only their shape is compared.
                expected = ClientIds().Replace(expected, "$1N");
                actual = ClientIds().Replace(actual, "$1N");
            }
            if (expected != actual)
            {
                mismatches.Add($"{string.Join(' ', command)}\n  redis:   {Escape(expected)}\n  icefire: {Escape(actual)}");
            }
        }
        foreach (var m in mismatches)
        {
            output.WriteLine(m);
        }
        Assert.True(mismatches.Count == 0, $"{family}: {mismatches.Count} replies differ from redis-server:\n{string.Join('\n', mismatches)}");
    }

    /// <summary>
    /// An aggregate of bulk strings with its elements sorted (a RESP3 map: its field-value pairs), for replies whose
    /// order is not defined.
    /// </summary>
    private static string SortedElements(string reply)
    {
        if (reply.Length == 0 || reply[0] is not ('*' or '~' or '%'))
        {
            return reply;
        }
        var headerEnd = reply.IndexOf("\r\n", StringComparison.Ordinal);
        var elements = new List<string>();
        var i = headerEnd + 2;
        while (i < reply.Length)
        {
            var lineEnd = reply.IndexOf("\r\n", i, StringComparison.Ordinal);
            var length = int.Parse(reply.AsSpan(i + 1, lineEnd - i - 1), System.Globalization.CultureInfo.InvariantCulture);
            var end = length < 0 ? lineEnd + 2 : lineEnd + 2 + length + 2;
            elements.Add(reply[i..end]);
            i = end;
        }
        if (reply[0] == '%')
        {
            elements = elements.Chunk(2).Select(pair => string.Concat(pair)).ToList();
        }
        elements.Sort(StringComparer.Ordinal);
        return reply[..(headerEnd + 2)] + string.Concat(elements);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(^:|\$2\r\nid\r\n:|\*2\r\n\$2\r\nid\r\n:)\d+")]
    private static partial System.Text.RegularExpressions.Regex ClientIds();

    private static string Escape(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n");
}
