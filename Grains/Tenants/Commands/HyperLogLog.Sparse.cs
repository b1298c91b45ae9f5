using System.Globalization;
using System.Text;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// The sparse encoding's opcodes: ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy (1..16384 zero
/// registers) and VAL 1vvvvvxx (1..4 registers of value 1..32), and Redis' in-place update of them (hllSparseSet), step
/// for step, so the bytes that result are redis-server's.
/// </summary>
internal static partial class HyperLogLog
{
    private const int ValMaxValue = 32;
    private const int ValMaxLength = 4;
    private const int ZeroMaxLength = 64;

    private static bool IsZero(byte op) => (op & 0xC0) == 0;

    private static bool IsXZero(byte op) => (op & 0xC0) == 0x40;

    private static bool IsVal(byte op) => (op & 0x80) != 0;

    private static int ZeroLength(byte op) => (op & 0x3F) + 1;

    /// <summary>An XZERO's run; its second byte past the end reads zero, as the sds terminator does in Redis.</summary>
    private static int XZeroLength(ReadOnlySpan<byte> sparse, int at) =>
        (((sparse[at] & 0x3F) << 8) | (at + 1 < sparse.Length ? sparse[at + 1] : 0)) + 1;

    private static int ValValue(byte op) => ((op >> 2) & 0x1F) + 1;

    private static int ValLength(byte op) => (op & 0x3) + 1;

    /// <summary>
    /// The VAL runs of a sparse value's opcodes in order, as hllSparseToDense and hllMerge walk them: zero runs are
    /// stepped over, and the walk stops at the end of the opcodes or at a VAL run reaching past the last register.
    /// <see cref="Covered"/> then says how many registers the opcodes covered, which must be exactly 16384.
    /// </summary>
    private ref struct SparseRuns(ReadOnlySpan<byte> sparse)
    {
        private readonly ReadOnlySpan<byte> _sparse = sparse;
        private int _at;

        /// <summary>Registers covered by the opcodes walked so far.</summary>
        public long Covered { get; private set; }

        /// <summary>The current run's first register.</summary>
        public int Start { get; private set; }

        /// <summary>The current run's number of registers (1..4).</summary>
        public int Length { get; private set; }

        /// <summary>The current run's register value (1..32).</summary>
        public int Value { get; private set; }

        public bool MoveNext()
        {
            while (_at < _sparse.Length)
            {
                var op = _sparse[_at];
                if (IsZero(op))
                {
                    Covered += ZeroLength(op);
                    _at++;
                }
                else if (IsXZero(op))
                {
                    Covered += XZeroLength(_sparse, _at);
                    _at += 2;
                }
                else
                {
                    var run = ValLength(op);
                    if (run + Covered > Registers)
                    {
                        return false;
                    }
                    (Start, Length, Value) = ((int)Covered, run, ValValue(op));
                    Covered += run;
                    _at++;
                    return true;
                }
            }
            return false;
        }
    }

    private static byte Val(int value, int length) => (byte)(((value - 1) << 2) | (length - 1) | 0x80);

    private static void WriteXZero(Span<byte> at, int length)
    {
        at[0] = (byte)(((length - 1) >> 8) | 0x40);
        at[1] = (byte)((length - 1) & 0xFF);
    }

    /// <summary>Writes a ZERO or, past 64 registers, an XZERO run; returns the bytes written.</summary>
    private static int WriteZeros(Span<byte> at, int length)
    {
        if (length > ZeroMaxLength)
        {
            WriteXZero(at, length);
            return 2;
        }
        at[0] = (byte)(length - 1);
        return 1;
    }

    /// <summary>The opcodes of a sparse value as PFDEBUG DECODE spells them: "z:len", "Z:len", "v:value,len".</summary>
    public static string Decode(ReadOnlySpan<byte> value)
    {
        var text = new StringBuilder();
        var sparse = value[HeaderSize..];
        var p = 0;
        while (p < sparse.Length)
        {
            var op = sparse[p];
            if (text.Length > 0)
            {
                text.Append(' ');
            }
            if (IsZero(op))
            {
                text.Append(CultureInfo.InvariantCulture, $"z:{ZeroLength(op)}");
                p++;
            }
            else if (IsXZero(op))
            {
                text.Append(CultureInfo.InvariantCulture, $"Z:{XZeroLength(sparse, p)}");
                p += 2;
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"v:{ValValue(op)},{ValLength(op)}");
                p++;
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// Redis' hllSparseSet: raises register <paramref name="index"/> to <paramref name="count"/>, splitting the opcode
    /// that covers it and merging equal neighbours; promotes to dense when the count does not fit a VAL opcode or the
    /// value would grow past <see cref="SparseMaxBytes"/>. 1 when updated, 0 when the register was already as high,
    /// -1 when the opcodes are corrupt.
    /// </summary>
    public static int SparseSet(ref HllBuffer hll, int index, int count)
    {
        if (count > ValMaxValue)
        {
            return Promote(ref hll, index, count);
        }
        hll.EnsureCapacity(hll.Length + 3);
        var b = hll.Bytes;
        var end = hll.Length;
        var p = HeaderSize;
        var first = 0;
        var prev = -1;
        var span = 0;
        // Step 1: find the opcode that covers the register.
        while (p < end)
        {
            var oplen = 1;
            if (IsZero(b[p]))
            {
                span = ZeroLength(b[p]);
            }
            else if (IsVal(b[p]))
            {
                span = ValLength(b[p]);
            }
            else
            {
                span = XZeroLength(b.AsSpan(0, end), p);
                oplen = 2;
            }
            if (index <= first + span - 1)
            {
                break;
            }
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end)
        {
            return -1;
        }
        var next = IsXZero(b[p]) ? p + 2 : p + 1;
        if (next >= end)
        {
            next = -1;
        }
        var op = b[p];
        var isZero = IsZero(op);
        var isXZero = IsXZero(op);
        var isVal = IsVal(op);
        var runLength = isZero ? ZeroLength(op) : isXZero ? XZeroLength(b.AsSpan(0, end), p) : ValLength(op);

        // Step 2: the trivial cases update the opcode in place.
        if (isVal)
        {
            if (ValValue(op) >= count)
            {
                return 0;
            }
            if (runLength == 1)
            {
                b[p] = Val(count, 1);
                return Updated(ref hll, prev, end);
            }
        }
        if (isZero && runLength == 1)
        {
            b[p] = Val(count, 1);
            return Updated(ref hll, prev, end);
        }

        // The general case: split the opcode into up to three (XZERO VAL XZERO is the longest, 5 bytes).
        Span<byte> sequence = stackalloc byte[5];
        var n = 0;
        var last = first + span - 1;
        if (isZero || isXZero)
        {
            if (index != first)
            {
                n += WriteZeros(sequence[n..], index - first);
            }
            sequence[n++] = Val(count, 1);
            if (index != last)
            {
                n += WriteZeros(sequence[n..], last - index);
            }
        }
        else
        {
            var current = ValValue(op);
            if (index != first)
            {
                sequence[n++] = Val(current, index - first);
            }
            sequence[n++] = Val(count, 1);
            if (index != last)
            {
                sequence[n++] = Val(current, last - index);
            }
        }

        // Step 3: put the new sequence in place of the old opcode, moving what follows.
        var delta = n - (isXZero ? 2 : 1);
        if (delta > 0 && hll.Length + delta > SparseMaxBytes)
        {
            return Promote(ref hll, index, count);
        }
        if (delta != 0 && next >= 0)
        {
            b.AsSpan(next, end - next).CopyTo(b.AsSpan(next + delta));
        }
        hll.Length += delta;
        sequence[..n].CopyTo(b.AsSpan(p));
        end += delta;
        return Updated(ref hll, prev, end);
    }

    /// <summary>
    /// Step 4 of hllSparseSet: merges adjacent VAL opcodes of equal value, scanning up to five opcodes from the one before
    /// the change, then marks the cached cardinality stale.
    /// </summary>
    private static int Updated(ref HllBuffer hll, int prev, int end)
    {
        var b = hll.Bytes;
        var p = prev >= 0 ? prev : HeaderSize;
        var scan = 5;
        while (p < end && scan-- > 0)
        {
            if (IsXZero(b[p]))
            {
                p += 2;
                continue;
            }
            if (IsZero(b[p]))
            {
                p++;
                continue;
            }
            if (p + 1 < end && IsVal(b[p + 1]))
            {
                var v1 = ValValue(b[p]);
                var v2 = ValValue(b[p + 1]);
                if (v1 == v2)
                {
                    var length = ValLength(b[p]) + ValLength(b[p + 1]);
                    if (length <= ValMaxLength)
                    {
                        b[p + 1] = Val(v1, length);
                        b.AsSpan(p + 1, end - p - 1).CopyTo(b.AsSpan(p));
                        hll.Length--;
                        end--;
                        // Merged: try again from here, with the opcode to the right.
                        continue;
                    }
                }
            }
            p++;
        }
        InvalidateCache(hll.Bytes);
        return 1;
    }

    /// <summary>The promote label of hllSparseSet: to dense, then the register is set there (it always grows).</summary>
    private static int Promote(ref HllBuffer hll, int index, int count)
    {
        if (!TryToDense(ref hll))
        {
            return -1;
        }
        DenseSet(hll.Bytes.AsSpan(HeaderSize, DenseSize - HeaderSize), index, count);
        return 1;
    }
}
