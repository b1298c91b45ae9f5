using System.Globalization;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

// HyperLogLog: the values are binary, and the replies are read back as text, so every stored value is also compared
// through BITFIELD_RO as 64-bit integers (Dump), which covers the bytes of a dense value exactly. Binary values are
// written the same way (SetBytes), since the test client sends its arguments as UTF-8.
public sealed partial class DifferentialTests
{
    static partial void AddHyperLogLogCorpus(TheoryData<string, string[][]> corpus)
    {
        corpus.Add("pf basics", [
            ["PFADD", "k"], ["GET", "k"], Dump("k"), ["PFCOUNT", "k"], ["GET", "k"], ["PFADD", "k"], ["PFADD", "k", "a", "b", "c"],
            ["PFADD", "k", "a"], ["GET", "k"], Dump("k"), ["PFCOUNT", "k"], Dump("k"), ["PFCOUNT", "k"], ["PFCOUNT", "missing"],
            ["PFADD", "k", "", "a", "d"], ["PFCOUNT", "k"], ["TYPE", "k"], ["STRLEN", "k"], ["PFADD"], ["PFCOUNT"], ["PFMERGE"],
            ["pfadd", "k", "x"], ["PfCount", "k"], ["EXISTS", "missing"], ["PFADD", "one", "only"], ["PFCOUNT", "one"], Dump("one"),
            ["APPEND", "one", "x"], ["PFCOUNT", "one"], ["PFADD", "one", "y"],
        ]);
        corpus.Add("pf wrong types", [
            ["LPUSH", "l", "x"], ["PFADD", "l", "a"], ["PFADD", "l"], ["PFCOUNT", "l"], ["PFMERGE", "l"], ["PFMERGE", "d", "l"],
            ["EXISTS", "d"], ["SET", "s", "hello"], ["PFADD", "s", "a"], ["PFCOUNT", "s"], ["PFMERGE", "s"], ["SET", "s", "HYLL"],
            ["PFCOUNT", "s"], ["SET", "s", "1234567890123456"], ["PFADD", "s", "a"], ["SET", "s", "HYLL\u0002\0\0\0\0\0\0\0\0\0\0\0"],
            ["PFCOUNT", "s"], ["SET", "s", "HYLL\0\0\0\0\0\0\0\0\0\0\0\0"], ["PFCOUNT", "s"], ["PFADD", "s", "x"], ["PFADD", "h", "a"],
            ["PFCOUNT", "h", "s"], ["PFCOUNT", "h", "l"], ["PFCOUNT", "missing", "l"], ["PFCOUNT", "h", "missing"], ["PFMERGE", "h", "l"],
            ["PFMERGE", "h", "s"], ["PFCOUNT", "h"], ["SET", "e", ""], ["PFADD", "e", "a"], ["SADD", "set", "a"], ["PFMERGE", "set", "h"],
        ]);
        corpus.Add("pf corrupt values", [
            // A sparse value whose XZERO covers 16383 registers, one short.
            SetBytes("short", Sparse(0x7F, 0xFE)), ["PFCOUNT", "short"], ["PFCOUNT", "short", "missing"], ["PFADD", "short", "a"],
            ["PFMERGE", "d", "short"], ["EXISTS", "d"], Dump("short"),
            // Two XZEROs covering twice the registers; a VAL run past the end; an XZERO cut in half.
            SetBytes("long", Sparse(0x7F, 0xFF, 0x7F, 0xFF)), ["PFCOUNT", "long"], ["PFADD", "long", "a", "b"], ["PFMERGE", "d", "long"],
            SetBytes("val", Sparse(0x7F, 0xFE, 0x83)), ["PFCOUNT", "val"], ["PFCOUNT", "val", "val"], ["PFADD", "val", "a"],
            SetBytes("cut", Sparse(0x7F)), ["PFCOUNT", "cut"], ["PFADD", "cut", "q"], Dump("cut"),
            // A valid sparse value with a cached count that is not its own: PFCOUNT answers the cache as it is.
            SetBytes("cached", [.. "HYLL"u8, 1, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0x7F, 0x7F, 0xFF]), ["PFCOUNT", "cached"],
            ["PFCOUNT", "cached", "cached"], ["PFADD", "cached", "z"], ["PFCOUNT", "cached"], Dump("cached"),
            // Unused header bytes survive PFADD and the promotion to dense.
            SetBytes("unused", [.. "HYLL"u8, 1, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x7F, 0xFF]), ["PFADD", "unused", "a"], Dump("unused"),
            // A dense value of the right length, registers all zero, cache stale; then one of the wrong length.
            SetBytes("dense", [.. "HYLL"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]), ["SETRANGE", "dense", "12303", "\0"],
            ["PFCOUNT", "dense"], Dump("dense"), ["PFADD", "dense", "a"], ["PFCOUNT", "dense"], Dump("dense"),
            ["SETRANGE", "dense", "12304", "x"], ["PFCOUNT", "dense"], ["PFADD", "dense", "b"],
            // A VAL run of four registers at the highest sparse value, then an XZERO over the rest.
            SetBytes("odd", [.. "HYLL"u8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0x7F, 0xFB]), ["PFCOUNT", "odd"],
        ]);
        corpus.Add("pf sparse opcodes", SparseOpcodeSequence());
        corpus.Add("pf promotion to dense", PromotionSequence());
        corpus.Add("pf merge", [
            ["PFADD", "a", "1", "2", "3"], PfAddMany("b", 0, 2500), ["STRLEN", "b"], ["PFCOUNT", "b"], ["PFMERGE", "d", "a"], Dump("d"),
            ["PFCOUNT", "d"], ["PFMERGE", "d", "a", "b"], ["STRLEN", "d"], Dump("d"), ["PFCOUNT", "d"], ["PFMERGE", "a", "a", "b"],
            ["STRLEN", "a"], ["PFCOUNT", "a"], ["PFMERGE", "new"], ["GET", "new"], Dump("new"), ["PFMERGE", "e", "m1", "m2"], ["GET", "e"],
            PfAddMany("c", 1000, 300), ["PFMERGE", "sp", "a", "c"], ["PFMERGE", "c2", "c"], ["STRLEN", "c2"], Dump("c2"),
            ["PFCOUNT", "a", "b", "c"], ["PFCOUNT", "c", "missing"], ["PFCOUNT", "c", "c"], ["PFCOUNT", "missing", "missing2"],
            ["EXPIRE", "c", "1000"], ["PFMERGE", "c", "a"], ["TTL", "c"], ["PFADD", "c", "new-one"], ["TTL", "c"], ["PFCOUNT", "c"],
            ["TTL", "c"], ["PFADD", "x", "1"], ["PFMERGE", "x", "x"], Dump("x"), ["PFMERGE", "y", "c"], ["PFMERGE", "y", "y", "c"],
            Dump("y"),
        ]);
        corpus.Add("pf in transactions", [
            ["MULTI"], ["PFADD", "t", "a", "b"], ["PFCOUNT", "t"], ["PFADD", "t", "c"], ["PFCOUNT", "t"], ["PFMERGE", "u", "t"],
            ["PFCOUNT", "t", "u"], ["EXEC"], Dump("t"), Dump("u"), ["MULTI"], ["PFADD"], ["EXEC"],
        ]);
        corpus.Add("pf debug", [
            ["PFDEBUG"], ["PFDEBUG", "ENCODING"], ["PFDEBUG", "ENCODING", "missing"], ["PFDEBUG", "nope", "missing"], ["PFADD", "k", "a", "b"],
            ["PFDEBUG", "encoding", "k"], ["PFDEBUG", "DECODE", "k"], ["PFDEBUG", "nope", "k"], ["PFDEBUG", "GETREG", "k", "x"],
            ["SET", "s", "hello"], ["PFDEBUG", "ENCODING", "s"], ["LPUSH", "l", "a"], ["PFDEBUG", "GETREG", "l"], PfAddMany("p", 0, 100),
            ["PFDEBUG", "DECODE", "p"], ["EXPIRE", "k", "100"], ["PFDEBUG", "GETREG", "k"], ["TTL", "k"], ["PFDEBUG", "ENCODING", "k"],
            ["STRLEN", "k"], Dump("k"), ["PFDEBUG", "DECODE", "k"], ["PFDEBUG", "TODENSE", "k"], ["PFDEBUG", "TODENSE", "p"],
            ["PFDEBUG", "TODENSE", "p"], Dump("p"), ["PFCOUNT", "p"], ["PFDEBUG", "GETREG", "p"],
            SetBytes("c", Sparse(0x7F, 0xFE)), ["PFDEBUG", "DECODE", "c"], ["PFDEBUG", "TODENSE", "c"], ["PFDEBUG", "GETREG", "c"],
            SetBytes("cut", Sparse(0x00, 0x7F)), ["PFDEBUG", "DECODE", "cut"], ["PFDEBUG", "ENCODING", "cut"],
        ]);
        for (var seed = 1; seed <= 3; seed++)
        {
            corpus.Add($"pf random (seed {seed})", RandomHyperLogLogSequence(seed, 150));
        }
    }

    /// <summary>
    /// Elements chosen for the register they land in and the count they set there (register, count in the comments), so
    /// each sparse update case of hllSparseSet is met: VAL runs merging up to four registers, a VAL run split by a higher
    /// count, ZERO and XZERO runs split at their ends and in the middle, the first and last registers.
    /// </summary>
    private static string[][] SparseOpcodeSequence()
    {
        string[] elements =
        [
            "x16698", "x75495", "x3777", "x5963", "x1712", "x3814", // (0..5, 1)
            "x41460", "x91031", "x8722", // (2, 3), (1, 2), (3, 2)
            "x46799", "x37282", "x38385", // (64, 1), (65, 1), (65, 2)
            "x16646", "x9479", "x16761", "x8784", // (16383, 1), (16382, 1), (16382, 2), (16383, 2)
            "x56152", "x4265", "x7099", // (8000, 1), (8000, 4), (8000, 2)
            "x6", "x5", "x4", "x3", "x2", "x1",
        ];
        var commands = new List<string[]>();
        foreach (var element in elements)
        {
            commands.Add(["PFADD", "o", element]);
            commands.Add(Dump("o"));
        }
        commands.Add(["PFCOUNT", "o"]);
        commands.Add(["PFMERGE", "o2", "o"]);
        commands.Add(Dump("o2"));
        return [.. commands];
    }

    /// <summary>
    /// Adds elements a batch at a time until the value turns dense, reading its length, estimate and bytes after each.
    /// </summary>
    private static string[][] PromotionSequence()
    {
        var commands = new List<string[]>();
        for (var from = 0; from < 3200; from += 160)
        {
            commands.Add(PfAddMany("p", from, 160));
            commands.Add(["STRLEN", "p"]);
            commands.Add(["PFCOUNT", "p"]);
            commands.Add(Dump("p"));
        }
        commands.Add(["PFADD", "p", "0"]);
        commands.Add(["PFCOUNT", "p"]);
        return [.. commands];
    }

    /// <summary>
    /// A seeded run over four keys: PFADD of few or many elements from a shared pool (so keys overlap and some turn
    /// dense), PFCOUNT of one or several keys, PFMERGE, reads of the bytes, and an occasional DEL or non-HLL SET.
    /// </summary>
    private static string[][] RandomHyperLogLogSequence(int seed, int count)
    {
        var r = new Random(seed);
        var keys = new[] { "a", "b", "c", "d" };
        var commands = new string[count][];
        for (var i = 0; i < count; i++)
        {
            var key = keys[r.Next(keys.Length)];
            var roll = r.NextDouble();
            commands[i] = roll switch
            {
                < 0.35 => PfAddMany(key, r.Next(0, 4000), r.Next(0, 12)),
                < 0.42 => PfAddMany(key, r.Next(0, 4000), r.Next(100, 700)),
                < 0.6 => ["PFCOUNT", key],
                < 0.7 => ["PFCOUNT", .. PickKeys(r, keys)],
                < 0.8 => ["PFMERGE", key, .. PickKeys(r, keys)],
                < 0.9 => Dump(key),
                < 0.94 => ["STRLEN", key],
                < 0.97 => ["DEL", key],
                _ => ["SET", key, "HYLL"],
            };
        }
        return commands;
    }

    private static string[] PickKeys(Random r, string[] keys)
    {
        var picked = new string[r.Next(1, 4)];
        for (var i = 0; i < picked.Length; i++)
        {
            picked[i] = r.Next(6) == 0 ? "missing" : keys[r.Next(keys.Length)];
        }
        return picked;
    }

    private static string[] PfAddMany(string key, int from, int count)
    {
        var command = new string[count + 2];
        command[0] = "PFADD";
        command[1] = key;
        for (var i = 0; i < count; i++)
        {
            command[i + 2] = "e" + (from + i).ToString(CultureInfo.InvariantCulture);
        }
        return command;
    }

    /// <summary>The bytes of <paramref name="key"/> (up to a dense value's 12304) as 64-bit integers, zero past its end.</summary>
    private static string[] Dump(string key)
    {
        const int Words = (12304 + 7) / 8;
        var command = new string[2 + Words * 3];
        command[0] = "BITFIELD_RO";
        command[1] = key;
        for (var i = 0; i < Words; i++)
        {
            command[2 + i * 3] = "GET";
            command[3 + i * 3] = "i64";
            command[4 + i * 3] = "#" + i.ToString(CultureInfo.InvariantCulture);
        }
        return command;
    }

    /// <summary>A header (sparse, cache stale) followed by <paramref name="opcodes"/>.</summary>
    private static byte[] Sparse(params byte[] opcodes) => [.. "HYLL"u8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, .. opcodes];

    /// <summary>Writes <paramref name="bytes"/> into <paramref name="key"/> (which must not exist) one byte at a time.</summary>
    private static string[] SetBytes(string key, byte[] bytes)
    {
        var command = new string[2 + bytes.Length * 4];
        command[0] = "BITFIELD";
        command[1] = key;
        for (var i = 0; i < bytes.Length; i++)
        {
            command[2 + i * 4] = "SET";
            command[3 + i * 4] = "u8";
            command[4 + i * 4] = "#" + i.ToString(CultureInfo.InvariantCulture);
            command[5 + i * 4] = bytes[i].ToString(CultureInfo.InvariantCulture);
        }
        return command;
    }

    [Fact]
    public void APfCountThatCachesItsEstimateFailsAWatchAsInRedis()
    {
        Assert.Equal(WatchedPfCount(_redis.Port), WatchedPfCount(_silo.Port));
        Assert.Equal("*-1\r\n", WatchedPfCount(_silo.Port)[4]);
    }

    /// <summary>
    /// EXEC's replies after another client's PFCOUNT of a watched key: first with a stale cache (PFCOUNT writes the
    /// estimate, the EXEC fails), then with a current one (nothing changes, the EXEC runs).
    /// </summary>
    private static List<string> WatchedPfCount(int port)
    {
        using var a = RespSocket.Connect(port);
        using var b = RespSocket.Connect(port);
        var replies = new List<string> { a.Call("FLUSHALL"), a.Call("PFADD", "h", "x", "y"), a.Call("WATCH", "h"), b.Call("PFCOUNT", "h") };
        a.Call("MULTI");
        a.Call("PING");
        replies.Add(a.Call("EXEC"));
        replies.Add(a.Call("WATCH", "h"));
        replies.Add(b.Call("PFCOUNT", "h"));
        a.Call("MULTI");
        a.Call("PING");
        replies.Add(a.Call("EXEC"));
        return replies;
    }

    [Fact]
    public void HyperLogLogKeyspaceEventsMatchRedis()
    {
        var expected = KeyspaceEvents(_redis.Port);
        var actual = KeyspaceEvents(_silo.Port);
        Assert.Equal(expected, actual);
    }

    /// <summary>The notifications a run of PF commands publishes, with notify-keyspace-events KEA, up to a marker.</summary>
    private static List<string> KeyspaceEvents(int port)
    {
        using var client = RespSocket.Connect(port);
        using var subscriber = RespSocket.Connect(port);
        client.Call("FLUSHALL");
        Assert.Equal("+OK\r\n", client.Call("CONFIG", "SET", "notify-keyspace-events", "KEA"));
        try
        {
            subscriber.Call("PSUBSCRIBE", "__key*@0__:*");
            client.Call("PFADD", "k", "a");
            client.Call("PFADD", "k", "a");
            client.Call("PFCOUNT", "k");
            client.Call("PFMERGE", "m", "k");
            client.Call("PFMERGE", "m", "k");
            client.Call("PFADD", "k");
            client.Call("SET", "end", "1");
            var events = new List<string>();
            while (true)
            {
                var message = subscriber.ReadReply();
                events.Add(message);
                if (message.EndsWith("$3\r\nend\r\n", StringComparison.Ordinal))
                {
                    return events;
                }
            }
        }
        finally
        {
            client.Call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }
}
