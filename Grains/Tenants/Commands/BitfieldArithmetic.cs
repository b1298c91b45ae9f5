namespace IceFire.Grains.Tenants.Commands;

/// <summary>What BITFIELD does when a SET or INCRBY does not fit its type (OVERFLOW WRAP|SAT|FAIL).</summary>
internal enum BitfieldOverflow : byte
{
    Wrap = 0,
    Sat = 1,
    Fail = 2,
}

/// <summary>
/// Integers of 1 to 64 bits at any bit offset of a string, most significant bit first, and the overflow
/// rules of BITFIELD. Mirrors redis-server's bitops.c (getUnsignedBitfield, checkSignedBitfieldOverflow ...)
/// so that every wrap and saturation lands on the same value.
/// </summary>
internal static class BitfieldArithmetic
{
    /// <summary>Reads an unsigned field; bits past the end of the string read as zero.</summary>
    public static ulong GetUnsigned(ReadOnlySpan<byte> bytes, long offset, int bits)
    {
        ulong value = 0;
        for (var j = 0; j < bits; j++, offset++)
        {
            var index = offset >> 3;
            var bit = index < bytes.Length ? (bytes[(int)index] >> (7 - (int)(offset & 7))) & 1 : 0;
            value = (value << 1) | (uint)bit;
        }
        return value;
    }

    /// <summary>Reads a two's complement field; bits past the end of the string read as zero.</summary>
    public static long GetSigned(ReadOnlySpan<byte> bytes, long offset, int bits)
    {
        var value = (long)GetUnsigned(bytes, offset, bits);
        if (bits < 64 && (value & (1L << (bits - 1))) != 0)
        {
            value |= -1L << bits;
        }
        return value;
    }

    /// <summary>Writes the low <paramref name="bits"/> bits of <paramref name="value"/>; the string must reach the field's last bit.</summary>
    public static void Set(Span<byte> bytes, long offset, int bits, ulong value)
    {
        for (var j = 0; j < bits; j++, offset++)
        {
            var on = (value >> (bits - 1 - j)) & 1;
            var index = (int)(offset >> 3);
            var shift = 7 - (int)(offset & 7);
            bytes[index] = (byte)((bytes[index] & ~(1 << shift)) | ((int)on << shift));
        }
    }

    /// <summary>
    /// Redis' checkUnsignedBitfieldOverflow: 0 when <paramref name="value"/> + <paramref name="increment"/> fits
    /// in <paramref name="bits"/> unsigned bits, 1 on overflow, -1 on underflow. On overflow or underflow,
    /// <paramref name="limit"/> is the wrapped value (WRAP) or the bound reached (SAT).
    /// </summary>
    public static int CheckUnsigned(ulong value, long increment, int bits, BitfieldOverflow mode, out ulong limit)
    {
        limit = 0;
        var max = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        var maxIncrement = unchecked((long)(max - value));
        var minIncrement = unchecked((long)(0 - value));
        int result;
        if (value > max || (increment > 0 && increment > maxIncrement))
        {
            result = 1;
            limit = max;
        }
        else if (increment < 0 && increment < minIncrement)
        {
            result = -1;
            limit = 0;
        }
        else
        {
            return 0;
        }
        if (mode == BitfieldOverflow.Wrap)
        {
            var mask = bits == 64 ? 0 : ulong.MaxValue << bits;
            limit = unchecked(value + (ulong)increment) & ~mask;
        }
        return result;
    }

    /// <summary>Redis' checkSignedBitfieldOverflow; see <see cref="CheckUnsigned"/>.</summary>
    public static int CheckSigned(long value, long increment, int bits, BitfieldOverflow mode, out long limit)
    {
        limit = 0;
        var max = bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1;
        var min = -max - 1;
        // As in Redis, these may wrap; they are only used once value is known to be in range.
        var maxIncrement = unchecked((long)((ulong)max - (ulong)value));
        var minIncrement = unchecked(min - value);
        int result;
        if (value > max || (bits != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement))
        {
            result = 1;
            limit = max;
        }
        else if (value < min || (bits != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement))
        {
            result = -1;
            limit = min;
        }
        else
        {
            return 0;
        }
        if (mode == BitfieldOverflow.Wrap)
        {
            var sum = unchecked((ulong)value + (ulong)increment);
            if (bits < 64)
            {
                // Propagate the field's sign bit to the bits above it.
                var mask = ulong.MaxValue << bits;
                sum = (sum & (1UL << (bits - 1))) != 0 ? sum | mask : sum & ~mask;
            }
            limit = unchecked((long)sum);
        }
        return result;
    }
}
