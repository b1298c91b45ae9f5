using Xunit;

namespace IceFire.Silo.Tests;

// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD; ZMPOP, ZRANDMEMBER (only its deterministic
// answers) and ZSCAN.
public sealed partial class DifferentialTests
{
    private static void AddSortedSetAlgebraCorpus(TheoryData<string, string[][]> corpus)
    {
        corpus.Add("zunion zinter zdiff", [
            ["ZADD", "z1", "1", "a", "2", "b", "3", "c"], ["ZADD", "z2", "10", "b", "20", "c", "30", "d"], ["SADD", "s1", "a", "d", "e"],
            ["SET", "str", "x"], ["ZUNION", "2", "z1", "z2"], ["ZUNION", "2", "z1", "z2", "WITHSCORES"], ["zunion", "2", "z1", "z2", "withscores"],
            ["ZUNION", "2", "z1", "z2", "WEIGHTS", "2", "3", "WITHSCORES"], ["ZUNION", "2", "z1", "z2", "AGGREGATE", "MIN", "WITHSCORES"],
            ["ZUNION", "2", "z1", "z2", "AGGREGATE", "max", "WITHSCORES"], ["ZUNION", "2", "z1", "s1", "WITHSCORES"],
            ["ZUNION", "2", "nokey", "z1", "WITHSCORES"], ["ZUNION", "2", "z1", "z1", "WITHSCORES"], ["ZUNION", "1", "nokey"],
            ["ZUNION", "0", "z1"], ["ZUNION", "-1", "z1"], ["ZUNION", "x", "z1"], ["ZUNION", "3", "z1", "z2"], ["ZUNION", "2", "z1", "z2", "WEIGHTS", "1"],
            ["ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "x"], ["ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "nan"],
            ["ZUNION", "2", "z1", "z2", "WEIGHTS", "1", "1e400"], ["ZUNION", "2", "z1", "z2", "WEIGHTS", "1", " 1"],
            ["ZUNION", "2", "z1", "z2", "AGGREGATE", "foo"], ["ZUNION", "2", "z1", "z2", "AGGREGATE"], ["ZUNION", "2", "z1", "z2", "BOGUS"],
            ["ZUNION", "2", "z1", "str"], ["ZUNION", "2", "str", "z1", "WEIGHTS", "x"], ["ZUNION", "1", "z1", "WEIGHTS", "2", "WEIGHTS", "3", "WITHSCORES"],
            ["ZUNION", "1", "z1", "AGGREGATE", "MIN", "AGGREGATE", "MAX", "WITHSCORES"], ["ZUNION", "2", "z1", "z2", "WITHSCORES", "WITHSCORES"],
            ["ZUNION", "1", "z1", "WITHSCORES", "WEIGHTS", "-2"], ["ZUNION", "2", "z1", "z2", "WEIGHTS", "0.5", "-1", "AGGREGATE", "SUM", "WITHSCORES"],
            ["ZINTER", "2", "z1", "z2"], ["ZINTER", "2", "z1", "z2", "WITHSCORES"], ["ZINTER", "2", "z1", "s1", "WITHSCORES"], ["ZINTER", "2", "z1", "nokey"],
            ["ZINTER", "2", "z1", "z2", "WEIGHTS", "1", "-1", "AGGREGATE", "MAX", "WITHSCORES"], ["ZINTER", "3", "z1", "z2", "z1", "WITHSCORES"],
            ["ZINTER", "0", "z1"], ["ZINTER", "2", "z1", "str"], ["ZINTER", "2", "nokey", "str"], ["ZINTER", "1", "s1", "WITHSCORES"],
            ["ZDIFF", "2", "z1", "z2"], ["ZDIFF", "2", "z1", "z2", "WITHSCORES"], ["ZDIFF", "2", "z2", "z1", "WITHSCORES"], ["ZDIFF", "2", "z1", "z2", "WEIGHTS", "1", "2"],
            ["ZDIFF", "2", "z1", "z2", "AGGREGATE", "SUM"], ["ZDIFF", "2", "nokey", "z1"], ["ZDIFF", "2", "s1", "z1", "WITHSCORES"], ["ZDIFF", "1", "z1", "WITHSCORES"],
            ["ZDIFF", "2", "z1", "z1"], ["ZDIFF", "3", "z1", "nokey", "s1", "WITHSCORES"], ["ZDIFF", "0", "z1"], ["ZDIFF", "2", "z1", "str"],
            ["ZDIFF", "2", "z1"], ["TYPE", "z1"], ["TYPE", "s1"],
        ]);
        corpus.Add("zunionstore zinterstore zdiffstore zintercard", [
            ["ZADD", "z1", "1", "a", "2", "b", "3", "c"], ["ZADD", "z2", "10", "b", "20", "c", "30", "d"], ["SADD", "s1", "a", "d", "e"],
            ["SET", "str", "x"], ["ZUNIONSTORE", "d", "2", "z1", "z2"], ["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZUNIONSTORE", "d", "2", "z1", "z2", "WITHSCORES"],
            ["ZUNIONSTORE", "d", "0", "z1"], ["ZUNIONSTORE", "d", "x", "z1"], ["ZUNIONSTORE", "d", "2", "z1"], ["ZINTERSTORE", "d", "0", "z1"],
            ["ZDIFFSTORE", "d", "0", "z1"], ["ZINTERSTORE", "d", "2", "z1", "z2", "WEIGHTS", "2", "0.5"], ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
            ["ZINTERSTORE", "d", "2", "z1", "z2", "AGGREGATE", "MIN"], ["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZINTERSTORE", "d", "2", "z1", "nokey"],
            ["EXISTS", "d"], ["ZDIFFSTORE", "d", "2", "z1", "z2"], ["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZDIFFSTORE", "d", "1", "s1"], ["TYPE", "d"],
            ["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZDIFFSTORE", "d", "2", "z1", "z2", "WEIGHTS", "1", "1"], ["ZDIFFSTORE", "d", "2", "z1", "z1"],
            ["EXISTS", "d"], ["ZUNIONSTORE", "str", "1", "z1"], ["TYPE", "str"], ["ZUNIONSTORE", "str", "1", "nokey"], ["EXISTS", "str"], ["SET", "str", "x"],
            ["ZUNIONSTORE", "d", "2", "z1", "str"], ["ZINTERSTORE", "d", "1", "str"], ["ZDIFFSTORE", "d", "2", "str", "z1"], ["ZUNIONSTORE", "z1", "2", "z1", "z2"],
            ["ZRANGE", "z1", "0", "-1", "WITHSCORES"], ["ZINTERSTORE", "z2", "2", "z2", "s1"], ["ZRANGE", "z2", "0", "-1", "WITHSCORES"],
            ["ZADD", "e", "5", "m"], ["EXPIRE", "e", "100"], ["ZUNIONSTORE", "e", "1", "z1"], ["TTL", "e"], ["ZCARD", "e"],
            ["ZINTERCARD", "2", "z1", "s1"], ["ZINTERCARD", "2", "z1", "e"], ["ZINTERCARD", "2", "z1", "e", "LIMIT", "2"], ["ZINTERCARD", "2", "z1", "e", "LIMIT", "0"],
            ["ZINTERCARD", "2", "z1", "e", "limit", "100"], ["ZINTERCARD", "2", "z1", "e", "LIMIT", "-1"], ["ZINTERCARD", "2", "z1", "e", "LIMIT", "x"],
            ["ZINTERCARD", "0", "z1"], ["ZINTERCARD", "x", "z1"], ["ZINTERCARD", "3", "z1", "z2"], ["ZINTERCARD", "1", "z1", "BAD"],
            ["ZINTERCARD", "2", "z1", "str"], ["ZINTERCARD", "2", "z1", "nokey"], ["ZINTERCARD", "2", "z1", "z1", "WEIGHTS", "1", "1"],
            ["ZINTERCARD", "1", "z1", "LIMIT", "2", "LIMIT", "1"], ["ZINTERCARD", "1", "z1", "LIMIT"], ["ZINTERCARD", "1", "z1", "WITHSCORES"],
        ]);
        corpus.Add("zalgebra scores", [
            ["ZADD", "zi", "inf", "a", "-inf", "b", "0", "c", "1", "d"], ["ZADD", "zj", "1", "a", "1", "b", "-inf", "c"], ["ZADD", "zz", "0", "x"],
            ["ZUNION", "1", "zi", "WEIGHTS", "0", "WITHSCORES"], ["ZUNION", "2", "zi", "zj", "WITHSCORES"], ["ZUNION", "2", "zi", "zi", "WITHSCORES"],
            ["ZINTER", "2", "zi", "zj", "WEIGHTS", "0", "1", "WITHSCORES"], ["ZINTER", "2", "zi", "zj", "WEIGHTS", "1", "0", "WITHSCORES"],
            ["ZINTER", "2", "zj", "zi", "WEIGHTS", "0", "1", "WITHSCORES", "AGGREGATE", "MAX"], ["ZINTER", "2", "zi", "zj", "AGGREGATE", "MIN", "WITHSCORES"],
            ["ZINTER", "2", "zi", "zj", "WEIGHTS", "0", "0", "AGGREGATE", "MIN", "WITHSCORES"], ["ZUNION", "1", "zz", "WEIGHTS", "-1", "WITHSCORES"],
            ["ZINTER", "1", "zz", "WEIGHTS", "-1", "WITHSCORES"], ["ZUNIONSTORE", "d", "1", "zz", "WEIGHTS", "-1"], ["ZSCORE", "d", "x"],
            ["ZUNION", "1", "zi", "WEIGHTS", "inf", "WITHSCORES"], ["ZUNION", "1", "zi", "WEIGHTS", "-inf", "WITHSCORES"],
            ["ZUNION", "2", "zi", "zj", "WEIGHTS", "inf", "-inf", "WITHSCORES"], ["ZUNION", "2", "zi", "zj", "WEIGHTS", "1", "-1", "AGGREGATE", "MAX", "WITHSCORES"],
            ["ZADD", "p", "0.1", "m"], ["ZADD", "q", "0.2", "m", "0", "x"], ["ZADD", "r", "0.3", "m", "0", "x", "0", "y"],
            ["ZUNION", "3", "r", "q", "p", "WITHSCORES"], ["ZUNION", "3", "p", "q", "r", "WITHSCORES"], ["ZINTER", "3", "r", "q", "p", "WITHSCORES"],
            ["ZADD", "pi", "inf", "m"], ["ZADD", "qi", "-inf", "m", "0", "x"], ["ZADD", "ri", "5", "m", "0", "x", "0", "y"],
            ["ZUNION", "3", "ri", "qi", "pi", "WITHSCORES"], ["ZINTER", "3", "ri", "qi", "pi", "WITHSCORES"], ["ZUNION", "3", "ri", "pi", "qi", "WITHSCORES"],
            ["ZADD", "same", "1", "b", "1", "a", "1", "c"], ["ZADD", "other", "1", "c", "2", "a"], ["ZUNION", "2", "same", "other", "WITHSCORES"],
            ["ZUNION", "2", "same", "other", "AGGREGATE", "MAX", "WITHSCORES"], ["ZUNION", "1", "same", "WEIGHTS", "1.1", "WITHSCORES"],
            ["ZUNION", "1", "same", "WEIGHTS", "1e308", "WITHSCORES"], ["ZUNION", "2", "same", "same", "WEIGHTS", "1e308", "1e308", "WITHSCORES"],
        ]);
    }

    private static void AddSortedSetPopScanCorpus(TheoryData<string, string[][]> corpus)
    {
        corpus.Add("zmpop", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], ["SADD", "s1", "a"], ["SET", "str", "v"], ["ZMPOP", "1", "z", "MIN"],
            ["ZMPOP", "1", "z", "max", "COUNT", "2"], ["ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "10"], ["EXISTS", "z"], ["ZMPOP", "1", "z", "MIN"],
            ["ZMPOP", "0", "z", "MIN"], ["ZMPOP", "-1", "z", "MIN"], ["ZMPOP", "x", "z", "MIN"], ["ZMPOP", "2", "z", "MIN"], ["ZMPOP", "3", "z", "MIN"],
            ["ZMPOP", "1", "z", "FOO"], ["ZMPOP", "1", "z", "MIN", "COUNT", "0"], ["ZMPOP", "1", "z", "MIN", "COUNT", "-1"],
            ["ZMPOP", "1", "z", "MIN", "COUNT", "x"], ["ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "2"], ["ZMPOP", "1", "z", "MIN", "BAR"],
            ["ZMPOP", "1", "z", "MIN", "COUNT"], ["ZMPOP", "1", "str", "MIN"], ["ZMPOP", "2", "nokey", "str", "MIN"], ["ZMPOP", "1", "s1", "MIN"],
            ["ZADD", "z", "1.5", "a", "-inf", "b", "inf", "c"], ["ZMPOP", "2", "z", "str", "MIN"], ["ZMPOP", "2", "str", "z", "MIN"],
            ["ZMPOP", "1", "z", "MAX", "COUNT", "1"], ["ZMPOP", "1", "z"], ["ZMPOP", "5", "a", "b"], ["ZMPOP", "2", "a", "b", "c"],
            ["ZMPOP", "1", "z", "MIN", "COUNT", "99999999999999999999"], ["ZMPOP", "1", "z", "MIN", "COUNT", "9223372036854775807"], ["EXISTS", "z"],
            ["ZPOPMIN", "nokey"], ["ZADD", "z", "1", "a"], ["ZPOPMAX", "z", "1"], ["ZPOPMAX", "z"],
        ]);
        corpus.Add("zrandmember zscan", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["SET", "str", "v"], ["ZRANDMEMBER", "nokey"], ["ZRANDMEMBER", "nokey", "3"],
            ["ZRANDMEMBER", "nokey", "0", "WITHSCORES"], ["ZRANDMEMBER", "nokey", "-2", "WITHSCORES"], ["ZRANDMEMBER", "z", "0"],
            ["ZRANDMEMBER", "z", "0", "WITHSCORES"], ["ZRANDMEMBER", "z", "x"], ["ZRANDMEMBER", "z", "1", "WITHSCORE"], ["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"],
            ["ZRANDMEMBER", "z", "-9223372036854775808"], ["ZRANDMEMBER", "z", "5000000000000000000", "WITHSCORES"], ["ZRANDMEMBER", "str"],
            ["ZRANDMEMBER", "str", "0"], ["ZRANDMEMBER", "str", "1", "WITHSCORES"], ["ZADD", "one", "2.5", "only"], ["ZRANDMEMBER", "one"],
            ["ZRANDMEMBER", "one", "1"], ["ZRANDMEMBER", "one", "5", "WITHSCORES"], ["ZRANDMEMBER", "one", "-3"], ["ZRANDMEMBER", "one", "-3", "WITHSCORES"],
            ["ZSCAN", "nokey", "0"], ["ZSCAN", "z", "x"], ["ZSCAN", "z", "0", "COUNT", "0"], ["ZSCAN", "z", "0", "BAD"], ["ZSCAN", "str", "0"],
            ["ZSCAN", "z", "0"], ["ZADD", "f", "-0", "u", "0.1", "v", "1e20", "w", "inf", "x", "3", "y", "-1.5e-7", "n", "-inf", "o"], ["ZSCAN", "f", "0"],
            ["ZSCAN", "f", "0", "MATCH", "v*"], ["ZSCAN", "f", "0", "COUNT", "1"], ["ZSCAN", "f", "0", "MATCH", "*", "COUNT", "100"],
            ["ZSCAN", "f", "0", "MATCH", "[uvw]"], ["ZSCAN", "one", "0"],
        ]);
    }
}
