using System.Globalization;

namespace IceFire.Silo.Tests;

public sealed partial class DifferentialTests
{
    /// <summary>
    /// A seeded random run of bit commands over four keys: SET of ASCII strings heavy in 0x00 and 0x7F,
    /// SETBIT, GETBIT, BITCOUNT and BITPOS over random (often negative or huge) ranges in both units,
    /// BITOP, BITFIELD with random widths, offsets, values and overflow modes, and reads of the results
    /// as integers. The seed is in the family name, so a failure can be replayed.
    /// </summary>
    private static string[][] RandomBitSequence(int seed, int count)
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
                < 0.08 => ["SET", key, RandomAscii(r)],
                < 0.2 => ["SETBIT", key, Num(r.Next(0, 120)), Num(r.Next(10) == 0 ? 2 : r.Next(2))],
                < 0.26 => ["GETBIT", key, Num(r.Next(0, 130))],
                < 0.42 => RandomRange(r, ["BITCOUNT", key], maxArgs: 3),
                < 0.6 => RandomRange(r, ["BITPOS", key, Num(r.Next(2))], maxArgs: 3),
                < 0.68 => RandomBitOp(r, keys),
                < 0.72 => ["BITFIELD_RO", key, "GET", "i64", "0", "GET", "u63", "#1", "GET", "u8", "#2", "GET", "i12", "#3"],
                < 0.74 => ["STRLEN", key],
                _ => RandomBitField(r, key),
            };
        }
        return commands;
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string RandomAscii(Random r)
    {
        var chars = new char[r.Next(0, 14)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = r.Next(3) switch
            {
                0 => '\0',
                1 => '\u007f',
                _ => (char)r.Next(0, 128),
            };
        }
        return new string(chars);
    }

    private static string RandomIndex(Random r) => r.Next(10) == 0
        ? Num(new[] { long.MinValue, long.MaxValue, -1_000_000_000_000, 1_000_000_000_000 }[r.Next(4)])
        : Num(r.Next(-80, 81));

    private static string[] RandomRange(Random r, string[] head, int maxArgs)
    {
        var args = new List<string>(head);
        var n = r.Next(maxArgs + 1);
        if (head[0] == "BITCOUNT" && n == 1)
        {
            n = 2;
        }
        for (var i = 0; i < Math.Min(n, 2); i++)
        {
            args.Add(RandomIndex(r));
        }
        if (n == 3)
        {
            args.Add(r.Next(2) == 0 ? "BIT" : "byte");
        }
        return [.. args];
    }

    private static string[] RandomBitOp(Random r, string[] keys)
    {
        var op = new[] { "AND", "OR", "XOR", "NOT" }[r.Next(4)];
        var args = new List<string> { "BITOP", op, keys[r.Next(keys.Length)] };
        var sources = op == "NOT" ? 1 : r.Next(1, 4);
        for (var i = 0; i < sources; i++)
        {
            args.Add(r.Next(5) == 0 ? "nokey" : keys[r.Next(keys.Length)]);
        }
        return [.. args];
    }

    private static string[] RandomBitField(Random r, string key)
    {
        var args = new List<string> { r.Next(5) == 0 ? "BITFIELD_RO" : "BITFIELD", key };
        for (var op = r.Next(1, 5); op > 0; op--)
        {
            var signed = r.Next(2) == 0;
            var bits = r.Next(4) == 0 ? new[] { 1, 8, 16, 32, 63, 64 }[r.Next(6)] : r.Next(1, 65);
            if (!signed && bits == 64)
            {
                bits = 63;
            }
            var type = (signed ? "i" : "u") + Num(bits);
            var offset = r.Next(5) == 0 ? "#" + Num(r.Next(0, 6)) : Num(r.Next(0, 100));
            var kind = r.NextDouble();
            if (kind < 0.3)
            {
                args.AddRange(["GET", type, offset]);
            }
            else if (kind < 0.55)
            {
                args.AddRange(["SET", type, offset, RandomFieldValue(r, bits)]);
            }
            else if (kind < 0.85)
            {
                args.AddRange(["INCRBY", type, offset, RandomFieldValue(r, bits)]);
            }
            else
            {
                args.AddRange(["OVERFLOW", new[] { "WRAP", "SAT", "FAIL" }[r.Next(3)]]);
            }
        }
        return [.. args];
    }

    private static string RandomFieldValue(Random r, int bits)
    {
        if (r.Next(3) != 0)
        {
            return Num(r.Next(-300, 301));
        }
        var half = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
        var edges = new[] { long.MaxValue, long.MinValue, half, -half - 1, half + 1, -half - 2, bits >= 63 ? -1 : (1L << bits), -1 };
        return Num(edges[r.Next(edges.Length)]);
    }
}
