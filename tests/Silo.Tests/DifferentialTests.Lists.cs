using Xunit;

namespace IceFire.Silo.Tests;

public sealed partial class DifferentialTests
{
    static partial void AddListCorpus(TheoryData<string, string[][]> corpus)
    {
        // Blocking list commands where they answer at once: a key has data, an argument is wrong, or inside MULTI.
        corpus.Add("list blocking pops", [
            ["RPUSH", "a", "1", "2", "3"], ["BLPOP", "nokey", "a", "0"], ["BRPOP", "a", "nokey", "1.5"], ["BLPOP", "a", "0"], ["EXISTS", "a"],
            ["RPUSH", "a", "x"], ["SET", "s", "str"], ["BLPOP", "a", "s", "0"], ["RPUSH", "a", "x"], ["BLPOP", "s", "a", "0"], ["BLPOP", "nokey", "s", "0"],
            ["BLPOP", "a", "-1"], ["BLPOP", "a", "x"], ["BLPOP", "a", ""], ["BLPOP", "a", "inf"], ["BLPOP", "a", "-inf"], ["BLPOP", "a", "nan"],
            ["BLPOP", "a", "1e400"], ["BLPOP", "a", "1e16"], ["BLPOP", "a", " 1"], ["BLPOP", "a", "-0.0011"], ["BRPOP", "s", "-1"], ["BLPOP", "a", "+1"],
            ["MULTI"], ["BLPOP", "nokey", "0"], ["BRPOP", "nokey", "a", "0"], ["BLPOP", "nokey", "-1"], ["EXEC"],
        ]);
        corpus.Add("list blocking moves", [
            ["RPUSH", "a", "1", "2", "3"], ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"], ["BLMOVE", "a", "b", "RIGHT", "LEFT", "0.5"],
            ["BRPOPLPUSH", "a", "b", "0"], ["LRANGE", "b", "0", "-1"], ["EXISTS", "a"], ["BLMOVE", "b", "b", "LEFT", "RIGHT", "0"],
            ["BLMOVE", "b", "c", "UP", "LEFT", "0"], ["BLMOVE", "b", "c", "LEFT", "LEFT", "x"], ["BLMOVE", "b", "c", "UP", "LEFT", "x"],
            ["BLMOVE", "b", "c", "LEFT", "LEFT", "-1"], ["BRPOPLPUSH", "b", "c", "-1"], ["SET", "s", "str"], ["BLMOVE", "s", "c", "LEFT", "LEFT", "0"],
            ["BLMOVE", "b", "s", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "b", "s", "0"], ["LRANGE", "b", "0", "-1"],
            ["MULTI"], ["BLMOVE", "nokey", "c", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "nokey", "c", "0"], ["BLMOVE", "nokey", "s", "LEFT", "LEFT", "0"], ["EXEC"],
        ]);
        corpus.Add("list blocking multi-pops", [
            ["RPUSH", "a", "1", "2", "3"], ["BLMPOP", "0", "2", "nokey", "a", "LEFT"], ["BLMPOP", "0", "1", "a", "RIGHT", "COUNT", "10"], ["EXISTS", "a"],
            ["BLMPOP", "x", "1", "a", "LEFT"], ["BLMPOP", "-1", "1", "a", "LEFT"], ["BLMPOP", "0", "0", "a", "LEFT"], ["BLMPOP", "0", "x", "a", "LEFT"],
            ["BLMPOP", "0", "2", "a", "LEFT"], ["BLMPOP", "0", "99999999999999999999", "a", "LEFT"], ["BLMPOP", "0", "9223372036854775807", "a", "LEFT"],
            ["BLMPOP", "-1", "1", "a", "UP"], ["BLMPOP", "x", "1", "a", "LEFT", "COUNT", "0"], ["BLMPOP", "0", "1", "a", "LEFT", "COUNT", "1", "COUNT", "2"],
            ["SET", "s", "str"], ["RPUSH", "c", "x"], ["BLMPOP", "0", "2", "s", "c", "LEFT"], ["BLMPOP", "0", "2", "c", "s", "LEFT"],
            ["MULTI"], ["BLMPOP", "0", "1", "nokey", "LEFT"], ["BLMPOP", "-1", "1", "nokey", "LEFT"], ["EXEC"],
        ]);
        corpus.Add("list ends", [
            ["RPUSH", "l", "a", "b", "c"], ["LPUSH", "l", "z", "y"], ["LRANGE", "l", "0", "-1"], ["LLEN", "l"], ["LLEN", "nokey"],
            ["LPUSHX", "nokey", "a"], ["RPUSHX", "l", "d", "e"], ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "l", "2"], ["RPOP", "l", "0"],
            ["LPOP", "nokey"], ["LPOP", "nokey", "2"], ["LPOP", "l", "-1"], ["LPOP", "l", "x"], ["LPOP", "l", "1", "2"], ["RPOP", "l", "10"],
            ["EXISTS", "l"], ["RPUSH", "l"], ["SET", "s", "x"], ["LPUSH", "s", "a"], ["LPOP", "s"], ["LLEN", "s"], ["LRANGE", "s", "0", "1"],
        ]);
        corpus.Add("list indexes", [
            ["RPUSH", "l", "a", "b", "c", "d", "e"], ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "5"], ["LINDEX", "l", "-6"],
            ["LINDEX", "l", "x"], ["LINDEX", "nokey", "0"], ["LSET", "l", "1", "B"], ["LSET", "l", "-1", "E"], ["LSET", "l", "9", "x"],
            ["LSET", "nokey", "0", "x"], ["LSET", "l", "x", "y"], ["LRANGE", "l", "0", "-1"], ["LRANGE", "l", "-3", "-2"], ["LRANGE", "l", "3", "1"],
            ["LRANGE", "l", "10", "20"], ["LRANGE", "l", "-100", "1"], ["LRANGE", "l", "0", "100"], ["LRANGE", "l", "a", "1"], ["LRANGE", "nokey", "0", "-1"],
            ["LTRIM", "l", "1", "-2"], ["LRANGE", "l", "0", "-1"], ["LTRIM", "l", "5", "1"], ["EXISTS", "l"], ["LTRIM", "nokey", "0", "1"],
            ["RPUSH", "m", "1", "2", "3", "4"], ["LTRIM", "m", "-2", "100"], ["LRANGE", "m", "0", "-1"], ["LTRIM", "m", "x", "1"],
        ]);
        corpus.Add("list edits", [
            ["RPUSH", "l", "a", "b", "a", "c", "a"], ["LINSERT", "l", "BEFORE", "b", "x"], ["LINSERT", "l", "AFTER", "a", "y"],
            ["LINSERT", "l", "AFTER", "zz", "q"], ["LINSERT", "l", "MIDDLE", "a", "q"], ["LINSERT", "nokey", "BEFORE", "a", "b"],
            ["LRANGE", "l", "0", "-1"], ["LREM", "l", "1", "a"], ["LREM", "l", "-1", "a"], ["LRANGE", "l", "0", "-1"], ["LREM", "l", "0", "a"],
            ["LREM", "l", "0", "zz"], ["LREM", "l", "x", "a"], ["LREM", "nokey", "0", "a"], ["LRANGE", "l", "0", "-1"],
            ["RPUSH", "p", "a", "b", "c", "a", "b", "c", "a"], ["LPOS", "p", "a"], ["LPOS", "p", "a", "RANK", "2"], ["LPOS", "p", "a", "RANK", "-1"],
            ["LPOS", "p", "a", "COUNT", "0"], ["LPOS", "p", "a", "COUNT", "2"], ["LPOS", "p", "a", "RANK", "-2", "COUNT", "0"],
            ["LPOS", "p", "c", "MAXLEN", "2"], ["LPOS", "p", "c", "MAXLEN", "3"], ["LPOS", "p", "zz"], ["LPOS", "p", "zz", "COUNT", "1"],
            ["LPOS", "nokey", "a"], ["LPOS", "nokey", "a", "COUNT", "1"], ["LPOS", "p", "a", "RANK", "0"], ["LPOS", "p", "a", "COUNT", "-1"],
            ["LPOS", "p", "a", "MAXLEN", "-1"], ["LPOS", "p", "a", "BAD"], ["LPOS", "p", "a", "RANK", "x"],
        ]);
        corpus.Add("list moves", [
            ["RPUSH", "a", "1", "2", "3"], ["LMOVE", "a", "b", "LEFT", "RIGHT"], ["LMOVE", "a", "b", "RIGHT", "LEFT"], ["LRANGE", "b", "0", "-1"],
            ["LMOVE", "a", "a", "LEFT", "RIGHT"], ["LRANGE", "a", "0", "-1"], ["LMOVE", "nokey", "b", "LEFT", "LEFT"], ["LMOVE", "a", "b", "UP", "LEFT"],
            ["RPOPLPUSH", "a", "b"], ["EXISTS", "a"], ["RPOPLPUSH", "nokey", "b"], ["SET", "s", "x"], ["LMOVE", "b", "s", "LEFT", "LEFT"],
            ["RPOPLPUSH", "s", "b"], ["LRANGE", "b", "0", "-1"], ["LMPOP", "2", "nokey", "b", "LEFT"], ["LMPOP", "1", "b", "RIGHT", "COUNT", "10"],
            ["LMPOP", "1", "b", "LEFT"], ["LMPOP", "0", "b", "LEFT"], ["LMPOP", "x", "b", "LEFT"], ["LMPOP", "2", "b", "LEFT"],
            ["LMPOP", "1", "b", "UP"], ["LMPOP", "1", "b", "LEFT", "COUNT", "0"], ["LMPOP", "1", "b", "LEFT", "COUNT", "1", "COUNT", "2"],
            ["RPUSH", "c", "x"], ["LMPOP", "2", "s", "c", "LEFT"], ["LMPOP", "2", "c", "s", "LEFT"],
        ]);
    }
}
