using Xunit;

namespace IceFire.Silo.Tests;

public sealed partial class DifferentialTests
{
    static partial void AddSortedSetCorpus(TheoryData<string, string[][]> corpus)
    {
        // Blocking sorted-set pops where they answer at once: a key has data, an argument is wrong, or inside MULTI.
        corpus.Add("zset blocking pops", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"], ["BZPOPMIN", "nokey", "z", "0"], ["BZPOPMAX", "z", "0.5"], ["BZPOPMIN", "z", "x"],
            ["BZPOPMIN", "z", "-1"], ["SET", "s", "str"], ["BZPOPMIN", "s", "z", "0"], ["BZPOPMAX", "z", "s", "0"], ["BZPOPMIN", "nokey", "s", "0"],
            ["BZMPOP", "0", "2", "nokey", "z", "MIN"], ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "10"], ["EXISTS", "z"],
            ["ZADD", "z", "1.5", "a", "-inf", "b"], ["BZMPOP", "x", "1", "z", "MIN"], ["BZMPOP", "-1", "1", "z", "MIN"], ["BZMPOP", "0", "0", "z", "MIN"],
            ["BZMPOP", "0", "2", "z", "MIN"], ["BZMPOP", "-1", "1", "z", "MINX"], ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "-1"],
            ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"], ["BZMPOP", "0", "2", "s", "z", "MIN"], ["BZMPOP", "0", "2", "z", "s", "max"],
            ["MULTI"], ["BZPOPMIN", "nokey", "0"], ["BZPOPMAX", "nokey", "0"], ["BZMPOP", "0", "1", "nokey", "MIN"], ["BZPOPMIN", "nokey", "-1"], ["EXEC"],
        ]);
        corpus.Add("zadd", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZADD", "z", "NX", "5", "a", "4", "d"], ["ZADD", "z", "XX", "10", "a", "9", "e"],
            ["ZADD", "z", "CH", "1", "a", "2", "b"], ["ZADD", "z", "GT", "CH", "0", "a", "20", "b"], ["ZADD", "z", "LT", "CH", "30", "c", "1", "d"],
            ["ZADD", "z", "INCR", "5", "a"], ["ZADD", "z", "INCR", "NX", "5", "a"], ["ZADD", "z", "INCR", "1", "a", "2", "b"],
            ["ZADD", "z", "NX", "XX", "1", "a"], ["ZADD", "z", "GT", "LT", "1", "a"], ["ZADD", "z", "NX", "GT", "1", "a"], ["ZADD", "z", "1"],
            ["ZADD", "z", "x", "a"], ["ZADD", "z", "nan", "a"], ["ZADD", "z", "inf", "top", "-inf", "bottom"], ["ZINCRBY", "z", "-inf", "top"],
            ["ZINCRBY", "z", "1.5", "c"], ["ZINCRBY", "z", "x", "c"], ["ZINCRBY", "new", "2", "m"], ["ZSCORE", "z", "c"], ["ZSCORE", "z", "nope"],
            ["ZSCORE", "nokey", "a"], ["ZMSCORE", "z", "a", "nope", "top"], ["ZMSCORE", "nokey", "a"], ["ZCARD", "z"], ["ZCARD", "nokey"],
            ["ZADD", "f", "1.1", "x", "0.1", "y", "1e20", "w", "1.5e-7", "v", "-0", "u"], ["ZSCORE", "f", "x"], ["ZSCORE", "f", "y"],
            ["ZSCORE", "f", "w"], ["ZSCORE", "f", "v"], ["ZSCORE", "f", "u"], ["ZREM", "z", "a", "nope"], ["ZREM", "nokey", "a"],
            ["ZADD", "xx", "XX", "1", "a"], ["EXISTS", "xx"], ["SET", "s", "x"], ["ZADD", "s", "1", "a"], ["ZSCORE", "s", "a"], ["ZCARD", "s"],
            ["ZADD", "one", "1", "m"], ["ZREM", "one", "m"], ["EXISTS", "one"], ["TYPE", "z"],
        ]);
        corpus.Add("zrange", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["ZRANGE", "z", "0", "-1"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["ZRANGE", "z", "-2", "10"], ["ZRANGE", "z", "3", "1"], ["ZRANGE", "z", "0", "1", "REV"], ["ZREVRANGE", "z", "0", "1", "WITHSCORES"],
            ["ZRANGE", "z", "(1", "4", "BYSCORE"], ["ZRANGE", "z", "4", "(1", "BYSCORE", "REV"], ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"],
            ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"], ["ZRANGE", "z", "[a", "[c", "BYLEX", "WITHSCORES"], ["ZRANGE", "z", "x", "1", "BYSCORE"],
            ["ZRANGE", "z", "0", "x"], ["ZRANGE", "z", "0", "1", "BOGUS"], ["ZRANGE", "nokey", "0", "-1"],
            ["ZRANGEBYSCORE", "z", "2", "4"], ["ZRANGEBYSCORE", "z", "(2", "(4", "WITHSCORES"], ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "2", "-1"],
            ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "-1", "2"], ["ZREVRANGEBYSCORE", "z", "4", "2"], ["ZREVRANGEBYSCORE", "z", "2", "4"],
            ["ZRANGEBYSCORE", "z", "a", "4"], ["ZCOUNT", "z", "2", "4"], ["ZCOUNT", "z", "(2", "+inf"], ["ZCOUNT", "z", "x", "1"], ["ZCOUNT", "nokey", "0", "1"],
            ["ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d"], ["ZRANGEBYLEX", "lex", "-", "+"], ["ZRANGEBYLEX", "lex", "[b", "(d"],
            ["ZRANGEBYLEX", "lex", "(a", "+", "LIMIT", "1", "1"], ["ZREVRANGEBYLEX", "lex", "+", "[b"], ["ZRANGEBYLEX", "lex", "a", "c"],
            ["ZLEXCOUNT", "lex", "-", "+"], ["ZLEXCOUNT", "lex", "[b", "[c"], ["ZLEXCOUNT", "lex", "b", "c"],
            ["ZRANK", "z", "c"], ["ZREVRANK", "z", "c"], ["ZRANK", "z", "nope"], ["ZRANK", "nokey", "a"],
            ["ZRANGESTORE", "dst", "z", "1", "3"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"], ["ZRANGESTORE", "dst", "z", "(5", "+inf", "BYSCORE"],
            ["EXISTS", "dst"], ["ZRANGESTORE", "dst", "nokey", "0", "-1"], ["ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"],
        ]);
        corpus.Add("zremove", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z"], ["ZPOPMIN", "z", "2"],
            ["ZPOPMAX", "z", "0"], ["ZPOPMIN", "z", "-1"], ["ZPOPMIN", "z", "x"], ["ZPOPMIN", "nokey"], ["ZPOPMIN", "nokey", "3"], ["ZPOPMAX", "z", "10"],
            ["EXISTS", "z"], ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["ZREMRANGEBYRANK", "z", "0", "1"],
            ["ZREMRANGEBYSCORE", "z", "(3", "4"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZREMRANGEBYSCORE", "z", "x", "1"],
            ["ZREMRANGEBYRANK", "z", "x", "1"], ["ZADD", "lex", "0", "a", "0", "b", "0", "c"], ["ZREMRANGEBYLEX", "lex", "[a", "(c"],
            ["ZRANGE", "lex", "0", "-1"], ["ZREMRANGEBYLEX", "lex", "a", "b"], ["ZREMRANGEBYLEX", "nokey", "-", "+"], ["ZREMRANGEBYRANK", "z", "0", "-1"],
            ["EXISTS", "z"],
        ]);
        AddSortedSetAlgebraCorpus(corpus);
        AddSortedSetPopScanCorpus(corpus);
    }
}
