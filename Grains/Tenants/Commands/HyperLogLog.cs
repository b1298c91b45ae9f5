using System.Buffers.Binary;
using System.Numerics;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// Redis' HyperLogLog string, byte for byte as redis-server 7.0's hyperloglog.c writes it: a 16-byte header ("HYLL",
/// the encoding, three unused bytes, the cached cardinality in little-endian with bit 63 marking it stale) followed by
/// 16384 six-bit registers, either dense (12288 bytes, register i at bit 6*i, least significant bits first) or sparse
/// (ZERO, XZERO and VAL run-length opcodes). A value written here reads the same in redis-server and back.
/// </summary>
internal static partial class HyperLogLog
{
    public const int HeaderSize = 16;
    public const int Registers = 1 << IndexBits;
    public const int DenseSize = HeaderSize + (Registers * RegisterBits + 7) / 8;

    /// <summary>
    /// Redis' hll-sparse-max-bytes default: a sparse value that would grow past it becomes dense. IceFire keeps the
    /// default fixed, so every replica promotes at the same point.
    /// </summary>
    public const int SparseMaxBytes = 3000;

    public const byte Dense = 0;
    public const byte Sparse = 1;

    private const int IndexBits = 14;
    private const int HashBits = 64 - IndexBits;
    private const int RegisterBits = 6;
    private const int RegisterMax = (1 << RegisterBits) - 1;
    private const uint Seed = 0xadc83b19;

    /// <summary>
    /// Redis' isHLLObjectOrReply: at least a header, the "HYLL" magic, a known encoding and, when dense, exactly the
    /// dense size. A string failing it answers "-WRONGTYPE Key is not a valid HyperLogLog string value.".
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> value) =>
        value.Length >= HeaderSize && value.StartsWith("HYLL"u8) && value[4] <= Sparse && (value[4] != Dense || value.Length == DenseSize);

    /// <summary>Redis' createHLLObject: a sparse value of one XZERO run over every register, cache valid at 0 (18 bytes).</summary>
    public static int WriteEmpty(Span<byte> destination)
    {
        var length = HeaderSize + 2;
        destination[..length].Clear();
        "HYLL"u8.CopyTo(destination);
        destination[4] = Sparse;
        WriteXZero(destination[HeaderSize..], Registers);
        return length;
    }

    /// <summary>True when the header's cached cardinality is current (bit 7 of its last byte clear).</summary>
    public static bool IsCacheValid(ReadOnlySpan<byte> value) => (value[15] & 0x80) == 0;

    public static ulong CachedCardinality(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadUInt64LittleEndian(value[8..]);

    public static void SetCachedCardinality(Span<byte> value, ulong cardinality) => BinaryPrimitives.WriteUInt64LittleEndian(value[8..], cardinality);

    public static void InvalidateCache(Span<byte> value) => value[15] |= 0x80;

    /// <summary>Austin Appleby's MurmurHash64A, as Redis embeds it (little-endian blocks).</summary>
    public static ulong MurmurHash64A(ReadOnlySpan<byte> key, uint seed)
    {
        unchecked
        {
            const ulong m = 0xc6a4a7935bd1e995UL;
            const int r = 47;
            var h = seed ^ ((ulong)key.Length * m);
            var blocks = key.Length & ~7;
            for (var i = 0; i < blocks; i += 8)
            {
                var k = BinaryPrimitives.ReadUInt64LittleEndian(key[i..]);
                k *= m;
                k ^= k >> r;
                k *= m;
                h ^= k;
                h *= m;
            }
            var tail = key[blocks..];
            if (tail.Length > 0)
            {
                for (var i = tail.Length - 1; i >= 0; i--)
                {
                    h ^= (ulong)tail[i] << (8 * i);
                }
                h *= m;
            }
            h ^= h >> r;
            h *= m;
            h ^= h >> r;
            return h;
        }
    }

    /// <summary>
    /// Redis' hllPatLen: the register an element lands in (the hash's low 14 bits) and the length of the run of zeros
    /// that ends at the first set bit of the remaining 50 bits, plus one (1..51).
    /// </summary>
    public static int PatternLength(ReadOnlySpan<byte> element, out int index)
    {
        var hash = MurmurHash64A(element, Seed);
        index = (int)(hash & (Registers - 1));
        hash >>= IndexBits;
        hash |= 1UL << HashBits;
        return BitOperations.TrailingZeroCount(hash) + 1;
    }

    /// <summary>
    /// Redis' hllAdd: 1 when a register grew, 0 when none did, -1 when the sparse value is corrupt. The value may be
    /// rewritten (grown, or promoted to dense) in <paramref name="hll"/>.
    /// </summary>
    public static int Add(ref HllBuffer hll, ReadOnlySpan<byte> element)
    {
        var count = PatternLength(element, out var index);
        return hll.Bytes[4] switch
        {
            Dense => DenseSet(hll.Bytes.AsSpan(HeaderSize, DenseSize - HeaderSize), index, count) ? 1 : 0,
            Sparse => SparseSet(ref hll, index, count),
            _ => -1,
        };
    }

    /// <summary>Register <paramref name="index"/> of dense registers; past the end reads zero, as the sds terminator does in Redis.</summary>
    public static int DenseGet(ReadOnlySpan<byte> registers, int index)
    {
        var bit = index * RegisterBits;
        var at = bit >> 3;
        var shift = bit & 7;
        var b0 = (uint)registers[at];
        var b1 = at + 1 < registers.Length ? (uint)registers[at + 1] : 0;
        return (int)(((b0 >> shift) | (b1 << (8 - shift))) & RegisterMax);
    }

    /// <summary>Redis' HLL_DENSE_SET_REGISTER.</summary>
    private static void DenseWrite(Span<byte> registers, int index, int value)
    {
        var bit = index * RegisterBits;
        var at = bit >> 3;
        var shift = bit & 7;
        var v = (uint)value;
        registers[at] = (byte)((registers[at] & ~((uint)RegisterMax << shift)) | (v << shift));
        if (at + 1 < registers.Length)
        {
            registers[at + 1] = (byte)((registers[at + 1] & ~((uint)RegisterMax >> (8 - shift))) | (v >> (8 - shift)));
        }
    }

    /// <summary>Redis' hllDenseSet: raises register <paramref name="index"/> to <paramref name="count"/>; true when it grew.</summary>
    public static bool DenseSet(Span<byte> registers, int index, int count)
    {
        if (count <= DenseGet(registers, index))
        {
            return false;
        }
        DenseWrite(registers, index, count);
        return true;
    }

    /// <summary>
    /// Redis' hllSparseToDense: rewrites a sparse value as dense, keeping the header's other bytes (the cached
    /// cardinality among them). False when the opcodes do not cover exactly 16384 registers; the value is then unchanged.
    /// </summary>
    public static bool TryToDense(ref HllBuffer hll)
    {
        if (hll.Bytes[4] == Dense)
        {
            return true;
        }
        var dense = HllBuffer.Rent(DenseSize);
        var target = dense.Bytes.AsSpan(0, DenseSize);
        target.Clear();
        hll.Bytes.AsSpan(0, HeaderSize).CopyTo(target);
        target[4] = Dense;
        var registers = target[HeaderSize..];
        var runs = new SparseRuns(hll.Span[HeaderSize..]);
        while (runs.MoveNext())
        {
            for (var i = 0; i < runs.Length; i++)
            {
                DenseWrite(registers, runs.Start + i, runs.Value);
            }
        }
        if (runs.Covered != Registers)
        {
            dense.Dispose();
            return false;
        }
        dense.Length = DenseSize;
        hll.Dispose();
        hll = dense;
        return true;
    }

    /// <summary>
    /// Redis' hllMerge: raises each of the 16384 one-byte <paramref name="max"/> registers to the value's register.
    /// False when a sparse value does not cover exactly 16384 registers.
    /// </summary>
    public static bool TryMerge(Span<byte> max, ReadOnlySpan<byte> value)
    {
        if (value[4] == Dense)
        {
            var registers = value[HeaderSize..];
            for (var i = 0; i < Registers; i++)
            {
                var v = (byte)DenseGet(registers, i);
                if (v > max[i])
                {
                    max[i] = v;
                }
            }
            return true;
        }
        var runs = new SparseRuns(value[HeaderSize..]);
        while (runs.MoveNext())
        {
            var v = (byte)runs.Value;
            for (var i = runs.Start; i < runs.Start + runs.Length; i++)
            {
                if (v > max[i])
                {
                    max[i] = v;
                }
            }
        }
        return runs.Covered == Registers;
    }
}