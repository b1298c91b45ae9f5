using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>
/// WATCH and keyspace notifications with several connections, run as the same script against redis-server 7
/// and IceFire, replies and notifications compared byte for byte.
/// </summary>
/// <remarks>One silo and one redis-server serve every test of the class (<see cref="DifferentialServers"/>).</remarks>
public sealed class WatchTests(DifferentialServers servers) : IClassFixture<DifferentialServers>
{
    private const string Marker = "end-of-script";
    private readonly SiloProcess _silo = servers.Silo;
    private readonly RedisServerProcess _redis = servers.Redis;

    /// <summary>Each step: the connection ("0" or "1"), then the command it sends.</summary>
    public static TheoryData<string, string[][]> WatchScripts() => new()
    {
        { "another client's write fails EXEC", [
            ["0", "SET", "k", "1"], ["0", "WATCH", "k"], ["1", "SET", "k", "2"], ["0", "MULTI"], ["0", "INCR", "k"], ["0", "EXEC"],
            ["0", "GET", "k"],
        ] },
        { "an untouched key lets EXEC run", [
            ["0", "SET", "k", "1"], ["0", "WATCH", "k", "other"], ["1", "SET", "unrelated", "x"], ["1", "GET", "k"], ["0", "MULTI"],
            ["0", "INCR", "k"], ["0", "EXEC"], ["0", "GET", "k"],
        ] },
        { "the watcher's own write fails EXEC", [
            ["0", "WATCH", "k"], ["0", "SET", "k", "5"], ["0", "MULTI"], ["0", "GET", "k"], ["0", "EXEC"],
        ] },
        { "a missing key that is created fails EXEC", [
            ["0", "WATCH", "m"], ["1", "LPUSH", "m", "x"], ["0", "MULTI"], ["0", "PING"], ["0", "EXEC"],
        ] },
        { "writes that change nothing leave the watch intact", [
            ["0", "SET", "k", "1"], ["0", "WATCH", "k", "m"], ["1", "DEL", "m"], ["1", "SET", "m", "x", "XX"], ["1", "SET", "k", "2", "NX"],
            ["1", "EXPIRE", "m", "10"], ["1", "PERSIST", "k"], ["1", "HDEL", "m", "f"], ["1", "SREM", "m", "a"], ["0", "MULTI"],
            ["0", "GET", "k"], ["0", "EXEC"],
        ] },
        { "every type's change is seen", [
            ["0", "HSET", "h", "f", "1"], ["0", "WATCH", "h"], ["1", "HSET", "h", "f", "2"], ["0", "MULTI"], ["0", "HGET", "h", "f"], ["0", "EXEC"],
            ["0", "RPUSH", "l", "a", "b"], ["0", "WATCH", "l"], ["1", "LSET", "l", "0", "z"], ["0", "MULTI"], ["0", "LLEN", "l"], ["0", "EXEC"],
            ["0", "ZADD", "z", "1", "a"], ["0", "WATCH", "z"], ["1", "ZADD", "z", "2", "a"], ["0", "MULTI"], ["0", "ZCARD", "z"], ["0", "EXEC"],
            ["0", "SADD", "s", "a"], ["0", "WATCH", "s"], ["1", "SPOP", "s"], ["0", "MULTI"], ["0", "SCARD", "s"], ["0", "EXEC"],
            ["0", "SET", "b", "x"], ["0", "WATCH", "b"], ["1", "SETBIT", "b", "0", "0"], ["0", "MULTI"], ["0", "GET", "b"], ["0", "EXEC"],
        ] },
        { "UNWATCH, DISCARD and EXECABORT drop the watches", [
            ["0", "WATCH", "k"], ["1", "SET", "k", "1"], ["0", "UNWATCH"], ["0", "MULTI"], ["0", "GET", "k"], ["0", "EXEC"],
            ["0", "WATCH", "k"], ["0", "MULTI"], ["0", "DISCARD"], ["1", "SET", "k", "2"], ["0", "MULTI"], ["0", "GET", "k"], ["0", "EXEC"],
            ["0", "WATCH", "k"], ["0", "MULTI"], ["0", "NOPE"], ["0", "EXEC"], ["1", "SET", "k", "3"], ["0", "MULTI"], ["0", "GET", "k"],
            ["0", "EXEC"], ["0", "UNWATCH"], ["0", "UNWATCH"],
        ] },
        { "an EXEC drops the watches whatever its outcome", [
            ["0", "WATCH", "k"], ["1", "SET", "k", "1"], ["0", "MULTI"], ["0", "GET", "k"], ["0", "EXEC"], ["1", "SET", "k", "2"],
            ["0", "MULTI"], ["0", "GET", "k"], ["0", "EXEC"],
        ] },
        { "WATCH inside MULTI is refused", [
            ["0", "MULTI"], ["0", "WATCH", "k"], ["0", "SET", "k", "1"], ["0", "EXEC"], ["0", "WATCH"], ["0", "MULTI"], ["0", "UNWATCH"],
            ["0", "EXEC"],
        ] },
        { "watches are per database", [
            ["0", "SELECT", "1"], ["0", "WATCH", "k"], ["1", "SET", "k", "db0"], ["0", "MULTI"], ["0", "SET", "k", "db1"], ["0", "EXEC"],
            ["0", "WATCH", "k"], ["1", "SELECT", "1"], ["1", "SET", "k", "other"], ["0", "MULTI"], ["0", "GET", "k"], ["0", "EXEC"],
        ] },
        { "RENAME, COPY and FLUSHDB touch what they change", [
            ["0", "SET", "a", "1"], ["0", "WATCH", "b"], ["1", "RENAME", "a", "b"], ["0", "MULTI"], ["0", "GET", "b"], ["0", "EXEC"],
            ["0", "WATCH", "c"], ["1", "COPY", "b", "c"], ["0", "MULTI"], ["0", "GET", "c"], ["0", "EXEC"],
            ["0", "WATCH", "c", "never"], ["1", "FLUSHDB"], ["0", "MULTI"], ["0", "PING"], ["0", "EXEC"],
            ["0", "WATCH", "never"], ["1", "FLUSHALL"], ["0", "MULTI"], ["0", "PING"], ["0", "EXEC"],
        ] },
        { "connection commands inside a watched EXEC", [
            ["0", "WATCH", "k"], ["0", "MULTI"], ["0", "PING"], ["0", "SET", "k", "1"], ["0", "ECHO", "x"], ["0", "GET", "k"], ["0", "EXEC"],
            ["0", "WATCH", "k"], ["1", "DEL", "k"], ["0", "MULTI"], ["0", "PING"], ["0", "SET", "k", "1"], ["0", "EXEC"], ["0", "GET", "k"],
        ] },
    };

    [Theory]
    [MemberData(nameof(WatchScripts))]
    public void WatchRepliesMatchRedis(string name, string[][] steps)
    {
        var script = steps.Select(s => (s[0] == "1" ? 1 : 0, s[1..])).ToArray();
        var expected = Run(_redis.Port, script, notify: null);
        var actual = Run(_silo.Port, script, notify: null);
        AssertSame(name, script, expected, actual);
    }

    public static TheoryData<string, string, string[][]> NotificationScripts() => new()
    {
        { "strings and keys", "KEA", [
            ["SET", "s", "1"], ["SET", "s", "2", "EX", "100"], ["INCR", "s"], ["INCRBYFLOAT", "s", "1.5"], ["APPEND", "s", "x"],
            ["SETRANGE", "s", "0", "y"], ["SETRANGE", "s", "0", ""], ["GETSET", "s", "3"], ["MSET", "a", "1", "b", "2"], ["SETNX", "a", "x"],
            ["SETEX", "c", "100", "v"], ["GETEX", "c", "PERSIST"], ["GETEX", "c", "EX", "50"], ["EXPIRE", "c", "60"], ["PERSIST", "c"],
            ["RENAME", "c", "d"], ["COPY", "d", "e"], ["DEL", "a", "nokey"], ["GETDEL", "b"], ["EXPIRE", "d", "0"], ["SETBIT", "bits", "3", "1"],
            ["BITOP", "OR", "dst", "bits", "nokey"], ["BITOP", "AND", "dst", "nokey"], ["BITFIELD", "bf", "SET", "u8", "0", "7"],
        ] },
        { "collections", "KEA", [
            ["LPUSH", "l", "a", "b"], ["RPUSH", "l", "c"], ["LSET", "l", "0", "z"], ["LINSERT", "l", "BEFORE", "z", "y"], ["LREM", "l", "0", "y"],
            ["LTRIM", "l", "0", "5"], ["LMOVE", "l", "l2", "LEFT", "RIGHT"], ["LMOVE", "l2", "l2", "LEFT", "LEFT"], ["RPOP", "l", "5"],
            ["LPOP", "l2"], ["HSET", "h", "f", "1", "g", "2"], ["HINCRBY", "h", "f", "1"], ["HINCRBYFLOAT", "h", "f", "0.5"],
            ["HSETNX", "h", "f", "x"], ["HDEL", "h", "f", "g"], ["SADD", "s", "a", "b"], ["SADD", "s", "a"], ["SREM", "s", "a"],
            ["SMOVE", "s", "s2", "b"], ["SADD", "s", "x"], ["SINTERSTORE", "i", "s", "s2"], ["SUNIONSTORE", "u", "s", "s2"],
            ["SDIFFSTORE", "u", "nokey"], ["SPOP", "s"], ["ZADD", "z", "1", "a", "2", "b"], ["ZADD", "z", "1", "a"], ["ZINCRBY", "z", "5", "a"],
            ["ZADD", "z", "INCR", "1", "b"], ["ZREM", "z", "nope"], ["ZRANGESTORE", "zs", "z", "0", "-1"], ["ZPOPMIN", "z"],
            ["ZREMRANGEBYSCORE", "zs", "0", "2"], ["ZREMRANGEBYRANK", "zs", "0", "0"], ["ZADD", "z", "1", "q"], ["ZREMRANGEBYLEX", "z", "-", "+"],
            ["ZPOPMAX", "z"], ["ZADD", "z1", "1", "a", "2", "b"], ["ZADD", "z2", "3", "b"], ["ZUNIONSTORE", "zu", "2", "z1", "z2"],
            ["ZINTERSTORE", "zi", "2", "z1", "z2"], ["ZDIFFSTORE", "zi", "1", "nokey"], ["ZMPOP", "1", "z1", "MIN", "COUNT", "5"],
            ["RPUSH", "bl", "a", "b"], ["BLPOP", "bl", "0"], ["BRPOP", "bl", "0"], ["ZADD", "bz", "1", "a"], ["BZPOPMAX", "bz", "0"],
            ["RPUSH", "bm", "x"], ["BLMOVE", "bm", "bm2", "LEFT", "RIGHT", "0"],
        ] },
        { "classes filter what is published", "Kl", [
            ["SET", "s", "1"], ["LPUSH", "l", "a"], ["DEL", "s"], ["HSET", "h", "f", "v"], ["LPOP", "l"],
        ] },
        { "new keys", "En$", [
            ["SET", "s", "1"], ["SET", "s", "2"], ["LPUSH", "l", "a"], ["HSET", "h", "f", "v"], ["APPEND", "a", "x"],
        ] },
    };

    [Theory]
    [MemberData(nameof(NotificationScripts))]
    public void NotificationsMatchRedis(string name, string flags, string[][] commands)
    {
        var script = commands.Select(c => (0, c)).ToArray();
        var expected = Run(_redis.Port, script, flags);
        var actual = Run(_silo.Port, script, flags);
        AssertSame(name, script, expected, actual);
    }

    [Fact]
    public void NotifyKeyspaceEventsIsValidatedAndNormalizedAsInRedis()
    {
        foreach (var port in new[] { _redis.Port, _silo.Port })
        {
            using var c = RespSocket.Connect(port);
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", "Kgn"));
            Assert.Equal("*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\ngnK\r\n", c.Call("CONFIG", "GET", "notify-keyspace-events"));
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", "AKEmn"));
            Assert.Equal("*2\r\n$22\r\nnotify-keyspace-events\r\n$4\r\nAKEm\r\n", c.Call("CONFIG", "GET", "notify-keyspace-events"));
            Assert.Equal("-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. " +
                "Use 'Ag$lshzxeKEtmdn'.\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", "bogus"));
            Assert.Equal("*2\r\n$22\r\nnotify-keyspace-events\r\n$4\r\nAKEm\r\n", c.Call("CONFIG", "GET", "notify-keyspace-events"));
            Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", ""));
        }
    }

    [Fact]
    public void AKeyThatExpiresAfterWatchFailsExecAndAnExpiredKeyIsNotifiedOnce()
    {
        using var c = RespSocket.Connect(_silo.Port);
        using var subscriber = RespSocket.Connect(_silo.Port);
        // No key left by another test of the class may expire while this one listens.
        Assert.Equal("+OK\r\n", c.Call("FLUSHALL"));
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", "Ex"));
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$22\r\n__keyevent@0__:expired\r\n:1\r\n", subscriber.Call("SUBSCRIBE", "__keyevent@0__:expired"));
        // Long enough that the WATCH surely comes before the expiry, even on a busy machine: a key already expired at
        // WATCH does not fail the EXEC, in Redis as here.
        Assert.Equal("+OK\r\n", c.Call("SET", "k", "v", "PX", "1000"));
        Assert.Equal("+OK\r\n", c.Call("WATCH", "k"));
        // The active sweep removes the key and says so; EXEC then fails as in Redis.
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$1\r\nk\r\n", subscriber.ReadReply());
        Assert.Equal("+OK\r\n", c.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", c.Call("GET", "k"));
        Assert.Equal("*-1\r\n", c.Call("EXEC"));

        // Watched while already expired and removed since: no change, as in Redis.
        Assert.Equal("+OK\r\n", c.Call("SET", "gone", "v", "PX", "1"));
        Eventually.WaitUntil(() => c.Call("EXISTS", "gone") == ":0\r\n", "the key 'gone' (PX 1) has expired");
        Assert.Equal("+OK\r\n", c.Call("WATCH", "gone"));
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$4\r\ngone\r\n", subscriber.ReadReply());
        Assert.Equal("+OK\r\n", c.Call("MULTI"));
        Assert.Equal("+QUEUED\r\n", c.Call("GET", "gone"));
        Assert.Equal("*1\r\n$-1\r\n", c.Call("EXEC"));
        Assert.Equal("+OK\r\n", c.Call("CONFIG", "SET", "notify-keyspace-events", ""));
    }

    [Fact]
    public async Task ConcurrentIncrementsWithWatchLoseNothing()
    {
        // The optimistic-locking loop clients build on WATCH: each of 4 clients adds 50 through GET + SET.
        using (var setup = RespSocket.Connect(_silo.Port))
        {
            Assert.Equal("+OK\r\n", setup.Call("SET", "counter", "0"));
        }
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            using var c = RespSocket.Connect(_silo.Port);
            var retries = 0;
            for (var done = 0; done < 50;)
            {
                c.Call("WATCH", "counter");
                var reply = c.Call("GET", "counter");
                var value = long.Parse(reply.Split("\r\n")[1], System.Globalization.CultureInfo.InvariantCulture);
                c.Call("MULTI");
                c.Call("SET", "counter", (value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (c.Call("EXEC") == "*-1\r\n")
                {
                    retries++;
                    continue;
                }
                done++;
            }
            return retries;
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        using var check = RespSocket.Connect(_silo.Port);
        Assert.Equal("$3\r\n200\r\n", check.Call("GET", "counter"));
    }

    /// <summary>
    /// Runs a script on two connections (and a subscriber to every keyspace channel when
    /// <paramref name="notify"/> is set); returns each reply, then every notification heard.
    /// </summary>
    private static List<string> Run(int port, (int Connection, string[] Command)[] script, string? notify)
    {
        using var c0 = RespSocket.Connect(port);
        using var c1 = RespSocket.Connect(port);
        using var subscriber = RespSocket.Connect(port);
        c0.Call("FLUSHALL");
        var results = new List<string>();
        if (notify is not null)
        {
            c0.Call("CONFIG", "SET", "notify-keyspace-events", notify);
            subscriber.Call("PSUBSCRIBE", "__key*__:*");
            subscriber.Call("SUBSCRIBE", Marker);
        }
        foreach (var (connection, command) in script)
        {
            results.Add((connection == 0 ? c0 : c1).Call(command));
        }
        if (notify is not null)
        {
            c0.Call("PUBLISH", Marker, "done");
            while (true)
            {
                var message = subscriber.ReadReply();
                if (message.Contains(Marker, StringComparison.Ordinal))
                {
                    break;
                }
                results.Add(message);
            }
            c0.Call("CONFIG", "SET", "notify-keyspace-events", "");
        }
        return results;
    }

    private static void AssertSame(string name, (int Connection, string[] Command)[] script, List<string> expected, List<string> actual)
    {
        static string Escape(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n");
        var lines = new List<string>();
        for (var i = 0; i < Math.Max(expected.Count, actual.Count); i++)
        {
            var e = i < expected.Count ? expected[i] : "(nothing)";
            var a = i < actual.Count ? actual[i] : "(nothing)";
            if (e != a)
            {
                var step = i < script.Length ? $"{script[i].Connection}> {string.Join(' ', script[i].Command)}" : $"notification {i - script.Length}";
                lines.Add($"{step}\n  redis:   {Escape(e)}\n  icefire: {Escape(a)}");
            }
        }
        Assert.True(lines.Count == 0, $"{name}: {lines.Count} differences from redis-server:\n{string.Join('\n', lines)}");
    }
}
