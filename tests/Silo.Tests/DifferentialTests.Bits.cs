using Xunit;

namespace IceFire.Silo.Tests;

public sealed partial class DifferentialTests
{
    // Replies are compared as UTF-8 text, so strings with bytes of 0x80 and up are read back with
    // BITFIELD GET u8 #i (one integer per byte) rather than GET.
    static partial void AddBitCorpus(TheoryData<string, string[][]> corpus)
    {
        corpus.Add("setbit getbit", [
            ["SETBIT", "k", "7", "1"], ["GET", "k"], ["SETBIT", "k", "7", "1"], ["SETBIT", "k", "7", "0"], ["GET", "k"],
            ["SETBIT", "k", "100", "1"], ["STRLEN", "k"], ["GET", "k"], ["GETBIT", "k", "100"], ["GETBIT", "k", "101"],
            ["GETBIT", "k", "1000"], ["GETBIT", "nokey", "0"], ["GETBIT", "nokey", "4294967295"], ["SET", "s", "foobar"],
            ["SETBIT", "s", "7", "1"], ["GET", "s"], ["SETBIT", "s", "1", "0"], ["GET", "s"], ["SETBIT", "s", "1", "1"],
            ["SETBIT", "k", "-1", "1"], ["SETBIT", "k", "4294967296", "1"], ["SETBIT", "k", "abc", "1"], ["SETBIT", "k", "1.5", "1"],
            ["SETBIT", "k", "#1", "1"], ["SETBIT", "k", "01", "1"], ["SETBIT", "k", " 1", "1"], ["SETBIT", "k", "1", "2"],
            ["SETBIT", "k", "1", "-1"], ["SETBIT", "k", "1", "x"], ["SETBIT", "k", "1", ""], ["SETBIT", "new", "-1", "1"],
            ["EXISTS", "new"], ["GETBIT", "k", "-1"], ["GETBIT", "k", "4294967296"], ["GETBIT", "k", "x"], ["GETBIT", "k", "#0"],
            ["GETBIT", "k", "9223372036854775807"], ["GETBIT", "k", "9223372036854775808"], ["SET", "n", "123"], ["GETBIT", "n", "2"],
            ["SETBIT", "n", "5", "0"], ["GET", "n"], ["INCR", "n"], ["SET", "t", "x", "EX", "100"], ["SETBIT", "t", "0", "1"],
            ["TTL", "t"], ["SETBIT", "t", "64", "1"], ["TTL", "t"], ["STRLEN", "t"], ["SETBIT", "big", "8388607", "1"],
            ["STRLEN", "big"], ["GETBIT", "big", "8388607"], ["BITCOUNT", "big"], ["BITPOS", "big", "1"], ["SETBIT", "big", "8388607", "0"],
            ["BITPOS", "big", "1"], ["STRLEN", "big"],
        ]);
        corpus.Add("bitcount", [
            ["SET", "s", "foobar"], ["BITCOUNT", "s"], ["BITCOUNT", "s", "0", "0"], ["BITCOUNT", "s", "1", "1"], ["BITCOUNT", "s", "0", "-1"],
            ["BITCOUNT", "s", "-1", "-1"], ["BITCOUNT", "s", "-2", "-1"], ["BITCOUNT", "s", "-100", "100"], ["BITCOUNT", "s", "2", "1"],
            ["BITCOUNT", "s", "-1", "-2"], ["BITCOUNT", "s", "-100", "-200"], ["BITCOUNT", "s", "-200", "-100"], ["BITCOUNT", "s", "6", "10"],
            ["BITCOUNT", "s", "5", "30", "BIT"], ["BITCOUNT", "s", "5", "30", "bit"], ["BITCOUNT", "s", "5", "30", "BYTE"],
            ["BITCOUNT", "s", "0", "-1", "BIT"], ["BITCOUNT", "s", "-5", "-1", "BIT"], ["BITCOUNT", "s", "-100", "3", "BIT"],
            ["BITCOUNT", "s", "7", "7", "BIT"], ["BITCOUNT", "s", "9", "9", "BIT"], ["BITCOUNT", "s", "9", "8", "BIT"],
            ["BITCOUNT", "s", "40", "1000", "BIT"], ["BITCOUNT", "s", "48", "1000", "BIT"], ["BITCOUNT", "s", "-9223372036854775808", "9223372036854775807"],
            ["BITCOUNT", "s", "-9223372036854775808", "9223372036854775807", "BIT"], ["BITCOUNT", "s", "0"], ["BITCOUNT", "s", "0", "1", "WORD"],
            ["BITCOUNT", "s", "0", "1", "BIT", "extra"], ["BITCOUNT", "s", "a", "1"], ["BITCOUNT", "s", "0", "b"], ["BITCOUNT", "s", "-1", "-2", "WORD"],
            ["BITCOUNT", "s", "0", "9223372036854775808"], ["BITCOUNT", "s", "0", "-1", "bit\u0000junk"], ["BITCOUNT", "nokey"],
            ["BITCOUNT", "nokey", "0", "-1"], ["BITCOUNT", "nokey", "a", "b"], ["BITCOUNT", "nokey", "0"], ["BITCOUNT", "nokey", "0", "1", "x", "y"],
            ["SET", "e", ""], ["BITCOUNT", "e"], ["BITCOUNT", "e", "0", "-1"], ["BITCOUNT", "e", "0", "-1", "BIT"], ["BITCOUNT", "e", "0"],
            ["SET", "ff", "\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f\u007f"],
            ["BITCOUNT", "ff"], ["BITCOUNT", "ff", "3", "13"], ["BITCOUNT", "ff", "1", "142", "BIT"], ["BITCOUNT", "ff", "8", "8", "BIT"],
        ]);
        corpus.Add("bitpos", [
            ["SETBIT", "k", "12", "1"], ["SETBIT", "k", "30", "1"], ["BITPOS", "k", "1"], ["BITPOS", "k", "0"], ["BITPOS", "k", "1", "2"],
            ["BITPOS", "k", "1", "-1"], ["BITPOS", "k", "1", "-100"], ["BITPOS", "k", "0", "1"], ["BITPOS", "k", "1", "0", "0"],
            ["BITPOS", "k", "1", "0", "1"], ["BITPOS", "k", "1", "2", "1"], ["BITPOS", "k", "1", "-1", "-2"], ["BITPOS", "k", "1", "-100", "-200"],
            ["BITPOS", "k", "1", "13", "-1", "BIT"], ["BITPOS", "k", "1", "12", "12", "BIT"], ["BITPOS", "k", "1", "13", "29", "BIT"],
            ["BITPOS", "k", "0", "12", "12", "BIT"], ["BITPOS", "k", "0", "0", "-1", "BIT"], ["BITPOS", "k", "1", "0", "-1", "byte"],
            ["BITPOS", "k", "1", "31", "0", "BIT"], ["BITPOS", "k", "1", "-2", "-1", "BIT"], ["BITPOS", "k", "1", "-3", "-1", "BIT"],
            ["SET", "ones", "\u007f\u007f"], ["SETBIT", "ones", "0", "1"], ["SETBIT", "ones", "8", "1"], ["BITCOUNT", "ones"],
            ["BITPOS", "ones", "0"], ["BITPOS", "ones", "0", "1"], ["BITPOS", "ones", "0", "0", "-1"], ["BITPOS", "ones", "0", "5"],
            ["BITPOS", "ones", "0", "0", "100"], ["BITPOS", "ones", "0", "3", "15", "BIT"], ["BITPOS", "ones", "0", "15", "15", "BIT"],
            ["BITPOS", "ones", "1", "9", "14", "BIT"], ["SET", "e", ""], ["BITPOS", "e", "0"], ["BITPOS", "e", "1"], ["BITPOS", "e", "0", "0"],
            ["BITPOS", "e", "0", "0", "-1", "BIT"], ["BITPOS", "nokey", "0"], ["BITPOS", "nokey", "1"], ["BITPOS", "nokey", "0", "5", "10"],
            ["BITPOS", "nokey", "1", "x", "y", "z"], ["BITPOS", "k", "2"], ["BITPOS", "k", "-1"], ["BITPOS", "k", "x"], ["BITPOS", "nokey", "2"],
            ["BITPOS", "k", "1", "x"], ["BITPOS", "k", "1", "0", "x"], ["BITPOS", "k", "1", "0", "x", "WORD"], ["BITPOS", "k", "1", "0", "1", "WORD"],
            ["BITPOS", "k", "1", "0", "1", "BIT", "x"], ["BITPOS", "k", "1", "0", "BIT"], ["BITPOS", "k", "01"], ["BITPOS", "k", "1", "0", "1", "Byte\u0000x"],
        ]);
        corpus.Add("bitop", [
            ["MSET", "a", "foobar", "b", "abcdef", "c", "xyz"], ["BITOP", "AND", "d", "a", "b"], ["GET", "d"], ["BITOP", "or", "d", "a", "b", "c"],
            ["GET", "d"], ["BITOP", "Xor", "d", "a", "c"], ["GET", "d"], ["BITOP", "XOR", "d", "a", "a"], ["GET", "d"], ["BITOP", "AND", "d", "a", "nokey"],
            ["GET", "d"], ["BITOP", "OR", "d", "nokey", "c"], ["GET", "d"], ["BITOP", "NOT", "d", "a"], ["STRLEN", "d"],
            ["BITFIELD", "d", "GET", "u8", "#0", "GET", "u8", "#1", "GET", "u8", "#5"], ["BITOP", "NOT", "d", "d"], ["GET", "d"],
            ["BITOP", "NOT", "d", "a", "b"], ["BITOP", "NOT", "d"], ["BITOP", "NAND", "d", "a"], ["BITOP", "AND", "d"], ["BITOP", "AND"],
            ["BITOP", "AND\u0000junk", "d", "a"], ["BITOP", "", "d", "a"], ["SET", "d", "x", "EX", "100"], ["BITOP", "OR", "d", "c"], ["TTL", "d"],
            ["GET", "d"], ["BITOP", "OR", "d", "nokey", "nokey2"], ["EXISTS", "d"], ["SET", "e", ""], ["SET", "d", "x"], ["BITOP", "AND", "d", "e"],
            ["EXISTS", "d"], ["BITOP", "OR", "d", "e", "c"], ["GET", "d"], ["BITOP", "AND", "a", "a", "c"], ["GET", "a"], ["BITOP", "NOT", "nokey", "nokey"],
            ["EXISTS", "nokey"], ["SETBIT", "long", "300", "1"], ["BITOP", "XOR", "d", "long", "b", "c"], ["STRLEN", "d"], ["BITCOUNT", "d"],
            ["BITOP", "AND", "d", "long", "long"], ["BITCOUNT", "d"], ["BITPOS", "d", "1"],
        ]);
        corpus.Add("bitfield", [
            ["BITFIELD", "k", "SET", "i8", "0", "-100", "GET", "u8", "0", "INCRBY", "i8", "0", "-100"], ["GET", "k"],
            ["BITFIELD", "k", "SET", "u4", "#3", "7", "GET", "u4", "#3", "GET", "u4", "#2"], ["GET", "k"], ["BITFIELD", "k"],
            ["BITFIELD", "k", "get", "i16", "0", "Get", "u16", "0", "GET", "i1", "0", "GET", "u1", "1", "GET", "i64", "0", "GET", "u63", "0"],
            ["BITFIELD", "k", "GET", "i32", "4", "GET", "u32", "7", "GET", "i8", "1000", "GET", "u8", "#536870911"],
            ["BITFIELD", "k", "INCRBY", "u7", "3", "1000", "INCRBY", "i7", "3", "-1000", "SET", "i3", "#5", "-3", "GET", "i3", "#5"],
            ["BITFIELD", "k", "GET", "i64", "#288230376151711745"], ["BITFIELD", "m", "GET", "u8", "0"], ["EXISTS", "m"],
            ["BITFIELD", "m", "SET", "u8", "#2", "65"], ["GET", "m"], ["BITFIELD", "m", "INCRBY", "u2", "100", "1"], ["STRLEN", "m"],
            ["SET", "t", "a", "EX", "100"], ["BITFIELD", "t", "SET", "u8", "0", "98", "SET", "u8", "16", "99"], ["GET", "t"], ["TTL", "t"],
            ["BITFIELD", "t", "SET", "u8", "0", "98"], ["TTL", "t"], ["BITFIELD", "k", "SET", "u8", "0", "1", "GET"],
            ["BITFIELD", "k", "SET", "u8", "0"], ["BITFIELD", "k", "INCRBY", "u8", "0"], ["BITFIELD", "k", "DEL", "u8", "0"],
            ["BITFIELD", "k", "GET", "u64", "0"], ["BITFIELD", "k", "GET", "i65", "0"], ["BITFIELD", "k", "GET", "I8", "0"],
            ["BITFIELD", "k", "GET", "u0", "0"], ["BITFIELD", "k", "GET", "i-1", "0"], ["BITFIELD", "k", "GET", "u08", "0"],
            ["BITFIELD", "k", "GET", "", "0"], ["BITFIELD", "k", "GET", "8", "0"], ["BITFIELD", "k", "GET", "u8\u0000x", "0"],
            ["BITFIELD", "k", "GET", "u8", "-1"], ["BITFIELD", "k", "GET", "u8", "#"], ["BITFIELD", "k", "GET", "u8", "#-1"],
            ["BITFIELD", "k", "GET", "u8", "4294967296"], ["BITFIELD", "k", "GET", "u8", "#536870912"], ["BITFIELD", "k", "GET", "u8", "1.0"],
            ["BITFIELD", "k", "SET", "u8", "0", "x"], ["BITFIELD", "k", "INCRBY", "u8", "0", "1.5"],
            ["BITFIELD", "k", "SET", "u8", "0", "9223372036854775808"], ["BITFIELD", "k", "SET", "u8", "0", "1", "SET", "u64", "0", "1"],
            ["BITFIELD", "k", "SET", "u8", "4294967296", "1"], ["GET", "k"], ["BITFIELD", "nokey", "SET", "u8", "0", "x"], ["EXISTS", "nokey"],
        ]);
        corpus.Add("bitfield overflow", [
            ["BITFIELD", "k", "INCRBY", "i8", "0", "128", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "1000", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "1",
                "GET", "i8", "0"],
            ["BITFIELD", "u", "OVERFLOW", "SAT", "INCRBY", "u4", "0", "100", "INCRBY", "u4", "0", "-100", "OVERFLOW", "FAIL", "INCRBY", "u4", "0", "-1",
                "OVERFLOW", "WRAP", "INCRBY", "u4", "0", "-1", "GET", "u4", "0"],
            ["BITFIELD", "s", "OVERFLOW", "WRAP", "SET", "u4", "0", "-1", "OVERFLOW", "SAT", "SET", "u4", "0", "-1", "OVERFLOW", "FAIL", "SET", "u4", "0", "16"],
            ["BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i5", "4", "99", "SET", "i5", "4", "-99", "OVERFLOW", "WRAP", "SET", "i5", "4", "99", "GET", "i5", "4"],
            ["BITFIELD", "s", "OVERFLOW", "SAT", "SET", "i23", "0", "-9223372036854775806", "GET", "i23", "0", "SET", "i8", "0", "-4611686018427387904"],
            ["BITFIELD", "w", "INCRBY", "i64", "0", "-9223372036854775808", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-1", "OVERFLOW", "FAIL",
                "INCRBY", "i64", "0", "-1"],
            ["BITFIELD", "w", "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "9223372036854775807",
                "INCRBY", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-9223372036854775808"],
            ["BITFIELD", "w", "SET", "i64", "0", "9223372036854775807", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "1", "OVERFLOW", "WRAP", "INCRBY", "i64", "0", "1"],
            ["BITFIELD", "v", "OVERFLOW", "SAT", "INCRBY", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "1", "OVERFLOW", "WRAP",
                "INCRBY", "u63", "0", "1", "INCRBY", "u63", "0", "-1", "OVERFLOW", "FAIL", "INCRBY", "u63", "0", "-9223372036854775808"],
            ["BITFIELD", "v", "OVERFLOW", "SAT", "SET", "u1", "9", "2", "SET", "i1", "10", "1", "SET", "i1", "11", "-2", "GET", "u4", "8"],
            ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "7", "SET", "i8", "200", "300", "GET", "u8", "0"], ["STRLEN", "f"],
            ["BITFIELD", "k", "OVERFLOW", "BOUNCE", "GET", "u8", "0"], ["BITFIELD", "k", "OVERFLOW"], ["BITFIELD", "k", "OVERFLOW", "sat"],
            ["BITFIELD", "k", "OVERFLOW", "SAT\u0000x", "INCRBY", "u2", "0", "9"], ["BITFIELD", "k", "GET", "u8", "0", "OVERFLOW", "FAIL"],
            ["GET", "k"],
        ]);
        corpus.Add("bitfield_ro and arity", [
            ["SET", "k", "AB"], ["BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "#3", "OVERFLOW", "SAT"], ["BITFIELD_RO", "k"],
            ["BITFIELD_RO", "k", "SET", "u8", "0", "1"], ["BITFIELD_RO", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1"],
            ["BITFIELD_RO", "k", "SET", "u64", "0", "1"], ["BITFIELD_RO", "k", "GET", "u8"], ["BITFIELD_RO", "nokey", "GET", "i8", "0"],
            ["BITFIELD_RO", "nokey", "INCRBY", "i8", "0", "1"], ["EXISTS", "nokey"], ["GET", "k"], ["SETBIT"], ["SETBIT", "k"],
            ["SETBIT", "k", "1"], ["SETBIT", "k", "1", "1", "1"], ["GETBIT", "k"], ["GETBIT", "k", "1", "2"], ["BITCOUNT"], ["BITPOS", "k"],
            ["BITPOS"], ["BITOP", "AND", "d"], ["BITOP"], ["BITFIELD"], ["BITFIELD_RO"], ["setbit", "k", "1", "0"], ["GET", "k"],
        ]);
        foreach (var seed in new[] { 1, 2, 3 })
        {
            corpus.Add($"bits random seed {seed}", RandomBitSequence(seed, 2000));
        }
    }
}
