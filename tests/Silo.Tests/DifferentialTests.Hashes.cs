using Xunit;

namespace IceFire.Silo.Tests;

public sealed partial class DifferentialTests
{
    static partial void AddHashCorpus(TheoryData<string, string[][]> corpus)
    {
        corpus.Add("hashes", [
            ["HSET", "h", "f1", "v1"], ["HSET", "h", "f1", "v2", "f2", "v3"], ["HSET", "h", "f1"], ["HSET", "h"], ["HGET", "h", "f1"],
            ["HGET", "h", "nope"], ["HGET", "nokey", "f"], ["HMSET", "h", "a", "1", "b", "2"], ["HMGET", "h", "a", "nope", "b"],
            ["HMGET", "nokey", "a", "b"], ["HLEN", "h"], ["HLEN", "nokey"], ["HEXISTS", "h", "a"], ["HEXISTS", "h", "zz"],
            ["HSTRLEN", "h", "f1"], ["HSTRLEN", "h", "zz"], ["HSETNX", "h", "a", "9"], ["HSETNX", "h", "c", "9"], ["HGET", "h", "c"],
            ["HDEL", "h", "a", "zz", "b"], ["HLEN", "h"], ["HDEL", "nokey", "a"], ["HINCRBY", "h", "n", "5"], ["HINCRBY", "h", "n", "-10"],
            ["HINCRBY", "h", "f1", "1"], ["HINCRBY", "h", "n", "x"], ["HINCRBY", "h", "n", "9223372036854775807"],
            ["HINCRBYFLOAT", "h", "fl", "10.5"], ["HINCRBYFLOAT", "h", "fl", "0.1"], ["HINCRBYFLOAT", "h", "f1", "1"],
            ["HINCRBYFLOAT", "h", "fl", "x"], ["HINCRBYFLOAT", "h", "fl", "inf"], ["HINCRBYFLOAT", "h", "n", "2.5"],
            ["SET", "s", "x"], ["HSET", "s", "f", "v"], ["HGET", "s", "f"], ["HGETALL", "s"], ["HLEN", "s"], ["HDEL", "s", "f"],
            ["HSET", "one", "f", "v"], ["HDEL", "one", "f"], ["EXISTS", "one"], ["TYPE", "h"], ["HGETALL", "nokey"], ["HKEYS", "nokey"],
            ["HRANDFIELD", "nokey"], ["HRANDFIELD", "nokey", "3"], ["HRANDFIELD", "h", "0"], ["HRANDFIELD", "h", "x"],
            ["HRANDFIELD", "h", "1", "BAD"], ["HRANDFIELD", "h", "-9223372036854775808"], ["HRANDFIELD", "h", "5000000000000000000", "WITHVALUES"],
            ["HSCAN", "nokey", "0"], ["HSCAN", "h", "x"], ["HSCAN", "h", "0", "COUNT", "0"], ["HSCAN", "h", "0", "BAD"],
            ["HSET", "single", "only", "one"], ["HGETALL", "single"], ["HKEYS", "single"], ["HVALS", "single"], ["HSCAN", "single", "0"],
            ["HSCAN", "single", "0", "MATCH", "o*"], ["HSCAN", "single", "0", "MATCH", "x*"], ["HRANDFIELD", "single"],
            ["HRANDFIELD", "single", "2", "WITHVALUES"], ["HRANDFIELD", "single", "-2"],
            ["RENAME", "h", "h2"], ["HGET", "h2", "c"], ["HLEN", "h2"], ["COPY", "h2", "h3"], ["HDEL", "h2", "c"], ["HGET", "h3", "c"],
            ["HLEN", "h3"], ["SET", "h3", "str"], ["TYPE", "h3"], ["EXPIRE", "h2", "100"], ["TTL", "h2"], ["DEL", "h2"], ["HLEN", "h2"],
        ]);
        corpus.Add("hash contents", [
            ["HSET", "h", "zeta", "1", "alpha", "2", "mid", "3", "", "empty-field", "e", ""], ["HGETALL", "h"], ["HKEYS", "h"], ["HVALS", "h"],
            ["HGET", "h", ""], ["HGET", "h", "e"], ["HSTRLEN", "h", "e"], ["HDEL", "h", "", "zeta"], ["HGETALL", "h"], ["HLEN", "h"],
            ["SCAN", "0", "TYPE", "hash"], ["SCAN", "0", "TYPE", "string"], ["SET", "str", "1"], ["SCAN", "0", "TYPE", "string"],
        ]);
    }
}
