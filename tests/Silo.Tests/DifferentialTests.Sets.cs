using Xunit;

namespace IceFire.Silo.Tests;

public sealed partial class DifferentialTests
{
    static partial void AddSetCorpus(TheoryData<string, string[][]> corpus)
    {
        corpus.Add("sets", [
            ["SADD", "s", "a", "b", "c"], ["SADD", "s", "a", "d"], ["SADD", "s"], ["SCARD", "s"], ["SCARD", "nokey"], ["SISMEMBER", "s", "a"],
            ["SISMEMBER", "s", "z"], ["SISMEMBER", "nokey", "a"], ["SMISMEMBER", "s", "a", "z", "d"], ["SMISMEMBER", "nokey", "a"],
            ["SMEMBERS", "s"], ["SMEMBERS", "nokey"], ["SREM", "s", "a", "z"], ["SREM", "nokey", "a"], ["SMEMBERS", "s"],
            ["SADD", "t", "c", "d", "e"], ["SINTER", "s", "t"], ["SINTER", "s", "nokey"], ["SUNION", "s", "t"], ["SUNION", "nokey"],
            ["SDIFF", "s", "t"], ["SDIFF", "t", "s"], ["SDIFF", "nokey", "s"], ["SINTERSTORE", "d", "s", "t"], ["SMEMBERS", "d"],
            ["SUNIONSTORE", "d", "s", "t"], ["SCARD", "d"], ["SDIFFSTORE", "d", "s", "t"], ["SMEMBERS", "d"], ["SINTERSTORE", "d", "s", "nokey"],
            ["EXISTS", "d"], ["SINTERCARD", "2", "s", "t"], ["SINTERCARD", "2", "s", "t", "LIMIT", "1"], ["SINTERCARD", "0", "s"],
            ["SINTERCARD", "x", "s"], ["SINTERCARD", "3", "s", "t"], ["SINTERCARD", "1", "s", "LIMIT", "-1"], ["SINTERCARD", "1", "s", "BAD"],
            ["SINTERCARD", "1", "s", "LIMIT", "x"], ["SMOVE", "s", "t", "b"], ["SMOVE", "s", "t", "zz"], ["SMOVE", "nokey", "t", "a"],
            ["SMOVE", "t", "t", "c"], ["SMOVE", "t", "t", "zz"], ["SMEMBERS", "s"], ["SMEMBERS", "t"], ["SMOVE", "s", "new", "c"],
            ["SMEMBERS", "new"], ["EXISTS", "s"], ["SET", "str", "x"], ["SADD", "str", "a"], ["SMEMBERS", "str"], ["SINTER", "t", "str"],
            ["SUNION", "str", "t"], ["SMOVE", "str", "t", "a"], ["SMOVE", "t", "str", "c"], ["SMOVE", "nokey", "str", "a"],
            ["SPOP", "nokey"], ["SPOP", "nokey", "2"], ["SPOP", "t", "-1"], ["SPOP", "t", "x"], ["SPOP", "t", "1", "2"], ["SPOP", "t", "0"],
            ["SRANDMEMBER", "nokey"], ["SRANDMEMBER", "nokey", "2"], ["SRANDMEMBER", "t", "0"], ["SRANDMEMBER", "t", "x"],
            ["SRANDMEMBER", "t", "-9223372036854775808"], ["SADD", "one", "only"], ["SPOP", "one"], ["EXISTS", "one"],
            ["SADD", "one", "only"], ["SRANDMEMBER", "one"], ["SRANDMEMBER", "one", "-3"], ["SPOP", "one", "5"], ["EXISTS", "one"],
            ["SSCAN", "nokey", "0"], ["SSCAN", "t", "x"], ["SSCAN", "t", "0", "COUNT", "0"], ["SSCAN", "str", "0"], ["TYPE", "t"],
        ]);
    }
}
