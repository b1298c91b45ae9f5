using System.Globalization;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>
/// Seeded random command sequences over a small keyspace and every data family, so keys change type,
/// empty out and come back, and commands meet each other's leftovers. Commands whose replies are random
/// by design (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, RANDOMKEY), depend on the clock (TTL) or on a value's history
/// (OBJECT ENCODING: Redis keeps an APPENDed string "raw" whatever it holds) are left out; the
/// seed is in the family name, so a failing sequence can be replayed.
/// </summary>
public sealed partial class DifferentialTests
{
    private const int RandomSequenceLength = 2000;

    public static TheoryData<string, string[][]> RandomCorpus()
    {
        var corpus = new TheoryData<string, string[][]>();
        foreach (var seed in new[] { 11, 23, 37 })
        {
            corpus.Add($"mixed families, seed {seed}", MixedSequence(seed, RandomSequenceLength));
        }
        return corpus;
    }

    [Theory]
    [MemberData(nameof(RandomCorpus))]
    public void RandomSequencesMatchRedis(string family, string[][] commands) => RepliesMatchRedis(family, commands);

    [Theory]
    [MemberData(nameof(RandomCorpus))]
    public void RandomSequencesMatchRedisInResp3(string family, string[][] commands) => RepliesMatchRedisInResp3(family, commands);

    private static string[][] MixedSequence(int seed, int count)
    {
        var r = new Random(seed);
        string Key() => "k" + r.Next(6).ToString(CultureInfo.InvariantCulture);
        string Member() => "m" + r.Next(8).ToString(CultureInfo.InvariantCulture);
        string Small() => (r.Next(-4, 12)).ToString(CultureInfo.InvariantCulture);
        string Value() => r.Next(4) switch
        {
            0 => r.Next(-20, 100).ToString(CultureInfo.InvariantCulture),
            1 => "",
            2 => Member(),
            _ => "v" + new string('x', r.Next(0, 12)),
        };
        string Score() => r.Next(6) switch
        {
            0 => "-inf",
            1 => "+inf",
            2 => (r.Next(-50, 50) / 4.0).ToString(CultureInfo.InvariantCulture),
            _ => r.Next(-5, 5).ToString(CultureInfo.InvariantCulture),
        };
        string Aggregate() => r.Next(3) switch
        {
            0 => "SUM",
            1 => "MIN",
            _ => "MAX",
        };
        string Bound() => r.Next(3) == 0 ? "(" + r.Next(-5, 5).ToString(CultureInfo.InvariantCulture) : Score();
        var templates = new Func<string[]>[]
        {
            () => ["SET", Key(), Value()], () => ["GET", Key()], () => ["APPEND", Key(), Value()], () => ["INCR", Key()],
            () => ["INCRBY", Key(), Small()], () => ["STRLEN", Key()], () => ["GETRANGE", Key(), Small(), Small()],
            () => ["SETRANGE", Key(), r.Next(0, 6).ToString(CultureInfo.InvariantCulture), Value()], () => ["MGET", Key(), Key()],
            () => ["GETDEL", Key()], () => ["SETNX", Key(), Value()], () => ["EXISTS", Key(), Key()], () => ["DEL", Key()], () => ["TYPE", Key()],
            () => ["HSET", Key(), Member(), Value()], () => ["HGET", Key(), Member()], () => ["HDEL", Key(), Member(), Member()],
            () => ["HLEN", Key()], () => ["HEXISTS", Key(), Member()], () => ["HINCRBY", Key(), Member(), Small()], () => ["HMGET", Key(), Member(), Member()],
            () => ["HSTRLEN", Key(), Member()], () => ["HGETALL", Key()], () => ["HKEYS", Key()], () => ["HSETNX", Key(), Member(), Value()],
            () => ["LPUSH", Key(), Value()], () => ["RPUSH", Key(), Value(), Value()], () => ["LPOP", Key()], () => ["RPOP", Key(), Small()],
            () => ["LLEN", Key()], () => ["LINDEX", Key(), Small()], () => ["LRANGE", Key(), Small(), Small()], () => ["LSET", Key(), Small(), Value()],
            () => ["LREM", Key(), Small(), Value()], () => ["LTRIM", Key(), Small(), Small()], () => ["LINSERT", Key(), "BEFORE", Value(), Value()],
            () => ["LPOS", Key(), Value()], () => ["LMOVE", Key(), Key(), "LEFT", "RIGHT"], () => ["RPOPLPUSH", Key(), Key()],
            () => ["SADD", Key(), Member(), Member()], () => ["SREM", Key(), Member()], () => ["SISMEMBER", Key(), Member()], () => ["SCARD", Key()],
            () => ["SMEMBERS", Key()], () => ["SINTER", Key(), Key()], () => ["SUNION", Key(), Key()], () => ["SDIFF", Key(), Key()],
            () => ["SMOVE", Key(), Key(), Member()], () => ["SINTERCARD", "2", Key(), Key()], () => ["SMISMEMBER", Key(), Member(), Member()],
            () => ["SUNIONSTORE", Key(), Key(), Key()],
            () => ["ZADD", Key(), Score(), Member()], () => ["ZINCRBY", Key(), Small(), Member()], () => ["ZREM", Key(), Member()],
            () => ["ZSCORE", Key(), Member()], () => ["ZCARD", Key()], () => ["ZRANK", Key(), Member()], () => ["ZRANGE", Key(), Small(), Small(), "WITHSCORES"],
            () => ["ZRANGEBYSCORE", Key(), Bound(), Bound()], () => ["ZCOUNT", Key(), Bound(), Bound()], () => ["ZPOPMIN", Key()],
            () => ["ZREMRANGEBYRANK", Key(), Small(), Small()], () => ["ZRANGEBYLEX", Key(), "-", "+"], () => ["ZADD", Key(), "GT", "CH", Score(), Member()],
            () => ["ZUNION", "2", Key(), Key(), "WITHSCORES"], () => ["ZINTER", "2", Key(), Key(), "WEIGHTS", Score(), Small(), "WITHSCORES"],
            () => ["ZDIFF", "2", Key(), Key(), "WITHSCORES"], () => ["ZUNIONSTORE", Key(), "3", Key(), Key(), Key(), "AGGREGATE", Aggregate()],
            () => ["ZINTERSTORE", Key(), "2", Key(), Key()], () => ["ZDIFFSTORE", Key(), "2", Key(), Key()], () => ["ZINTERCARD", "2", Key(), Key(), "LIMIT", Small()],
            () => ["ZMPOP", "2", Key(), Key(), r.Next(2) == 0 ? "MIN" : "MAX", "COUNT", Small()], () => ["ZSCAN", Key(), "0"],
            () => ["EXPIRE", Key(), "10000"], () => ["PERSIST", Key()], () => ["RENAME", Key(), Key()], () => ["COPY", Key(), Key(), "REPLACE"],
        };
        var commands = new string[count][];
        for (var i = 0; i < count; i++)
        {
            commands[i] = templates[r.Next(templates.Length)]();
        }
        return commands;
    }
}
