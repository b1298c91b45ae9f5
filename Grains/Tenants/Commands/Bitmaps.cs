using System.Numerics;
using System.Runtime.InteropServices;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// Bit counting and searching over a string seen as a bitmap. Bit 0 is the most significant bit of
/// the first byte, as in SETBIT, BITCOUNT and BITPOS.
/// </summary>
internal static class Bitmaps
{
    /// <summary>Number of set bits in <paramref name="bytes"/>.</summary>
    public static long PopCount(ReadOnlySpan<byte> bytes)
    {
        long count = 0;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var word in words)
        {
            count += BitOperations.PopCount(word);
        }
        foreach (var b in bytes[(words.Length * sizeof(ulong))..])
        {
            count += BitOperations.PopCount(b);
        }
        return count;
    }

    /// <summary>Number of set bits from bit <paramref name="firstBit"/> to bit <paramref name="lastBit"/>, both included and inside the string.</summary>
    public static long PopCount(ReadOnlySpan<byte> bytes, long firstBit, long lastBit)
    {
        var first = (int)(firstBit >> 3);
        var last = (int)(lastBit >> 3);
        var count = PopCount(bytes[first..(last + 1)]);
        // Take back the bits of the edge bytes that lie outside the range.
        count -= BitOperations.PopCount((uint)(bytes[first] & ~FromBit(firstBit) & 0xFF));
        count -= BitOperations.PopCount((uint)(bytes[last] & ~UpToBit(lastBit) & 0xFF));
        return count;
    }

    /// <summary>
    /// The position of the first bit equal to <paramref name="one"/> from bit <paramref name="firstBit"/> to
    /// bit <paramref name="lastBit"/> (both included and inside the string), or -1 when there is none.
    /// </summary>
    public static long FindFirst(ReadOnlySpan<byte> bytes, long firstBit, long lastBit, bool one)
    {
        var first = (int)(firstBit >> 3);
        var last = (int)(lastBit >> 3);
        int found;
        if (first == last)
        {
            found = Match(bytes[first], one) & FromBit(firstBit) & UpToBit(lastBit);
            return found != 0 ? Position(first, found) : -1;
        }
        found = Match(bytes[first], one) & FromBit(firstBit);
        if (found != 0)
        {
            return Position(first, found);
        }
        // Whole bytes in between: skip every byte with no candidate bit (vectorised).
        var middle = bytes[(first + 1)..last];
        var index = middle.IndexOfAnyExcept(one ? (byte)0 : (byte)0xFF);
        if (index >= 0)
        {
            var at = first + 1 + index;
            return Position(at, Match(bytes[at], one));
        }
        found = Match(bytes[last], one) & UpToBit(lastBit);
        return found != 0 ? Position(last, found) : -1;
    }

    /// <summary>The bits of a byte that are candidates: the set bits when looking for a one, the clear bits otherwise.</summary>
    private static int Match(byte b, bool one) => (one ? b : ~b) & 0xFF;

    /// <summary>Mask of the bits of <paramref name="bit"/>'s byte at or after it.</summary>
    private static int FromBit(long bit) => 0xFF >> (int)(bit & 7);

    /// <summary>Mask of the bits of <paramref name="bit"/>'s byte at or before it.</summary>
    private static int UpToBit(long bit) => (0xFF << (7 - (int)(bit & 7))) & 0xFF;

    private static long Position(int byteIndex, int candidates) =>
        (long)byteIndex * 8 + BitOperations.LeadingZeroCount((uint)candidates) - 24;
}
