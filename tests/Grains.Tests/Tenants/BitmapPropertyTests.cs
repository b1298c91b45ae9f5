using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using IceFire.Grains.Tenants.Commands;
using Xunit;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>The bit helpers behind BITCOUNT, BITPOS and BITFIELD against bit-by-bit and BigInteger models.</summary>
public sealed class BitmapPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2_000);

    /// <summary>Strings of 1..40 bytes, biased to runs of 0x00 and 0xFF, with a bit range inside them.</summary>
    private static Gen<(byte[] Bytes, long First, long Last)> BitmapWithRange()
    {
        var b = Gen.Frequency((2, Gen.Constant((byte)0)), (2, Gen.Constant((byte)0xFF)), (3, Gen.Choose(0, 255).Select(i => (byte)i)));
        return Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(b, n)).SelectMany(bytes =>
            Gen.Choose(0, bytes.Length * 8 - 1).SelectMany(first =>
                Gen.Choose(first, bytes.Length * 8 - 1).Select(last => (bytes, (long)first, (long)last))));
    }

    private static bool BitAt(byte[] bytes, long i) => (bytes[i >> 3] & (0x80 >> (int)(i & 7))) != 0;

    [Fact]
    public void PopCountOfARangeCountsItsSetBits()
    {
        Check.One(Runs, Prop.ForAll(BitmapWithRange().ToArbitrary(), t =>
        {
            long expected = 0;
            for (var i = t.First; i <= t.Last; i++)
            {
                expected += BitAt(t.Bytes, i) ? 1 : 0;
            }
            return Bitmaps.PopCount(t.Bytes, t.First, t.Last) == expected
                && Bitmaps.PopCount(t.Bytes) == t.Bytes.Sum(x => BitOperations.PopCount(x));
        }));
    }

    [Fact]
    public void FindFirstReturnsTheFirstMatchingBitOfTheRange()
    {
        Check.One(Runs, Prop.ForAll(BitmapWithRange().ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (t, one) =>
        {
            long expected = -1;
            for (var i = t.First; i <= t.Last && expected < 0; i++)
            {
                if (BitAt(t.Bytes, i) == one)
                {
                    expected = i;
                }
            }
            return Bitmaps.FindFirst(t.Bytes, t.First, t.Last, one) == expected;
        }));
    }

    [Fact]
    public void SetThenGetRoundTripsEveryWidthAndOffset()
    {
        var gen = Gen.Choose(1, 64).SelectMany(bits => Gen.Choose(0, 70).SelectMany(offset =>
            ArbMap.Default.GeneratorFor<long>().Select(value => (bits, (long)offset, value))));
        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var bytes = new byte[(t.Item2 + t.bits + 7) / 8 + 1];
            Array.Fill(bytes, (byte)0xA5);
            var before = (byte[])bytes.Clone();
            BitfieldArithmetic.Set(bytes, t.Item2, t.bits, unchecked((ulong)t.value));
            var mask = t.bits == 64 ? ulong.MaxValue : (1UL << t.bits) - 1;
            var unsignedOk = BitfieldArithmetic.GetUnsigned(bytes, t.Item2, t.bits) == (unchecked((ulong)t.value) & mask);
            var signed = BitfieldArithmetic.GetSigned(bytes, t.Item2, t.bits);
            var signedOk = t.bits == 64 ? signed == t.value : signed >> (t.bits - 1) is 0 or -1 && ((ulong)signed & mask) == (unchecked((ulong)t.value) & mask);
            // Bits outside the field are untouched.
            var outsideOk = true;
            for (long i = 0; i < bytes.Length * 8L; i++)
            {
                if ((i < t.Item2 || i >= t.Item2 + t.bits) && BitAt(bytes, i) != BitAt(before, i))
                {
                    outsideOk = false;
                }
            }
            return unsignedOk && signedOk && outsideOk;
        }));
    }

    [Fact]
    public void SignedOverflowMatchesExactArithmetic()
    {
        var gen = Gen.Choose(1, 64).SelectMany(bits => Interesting(bits, signed: true).SelectMany(value =>
            Gen.Frequency((1, Gen.Constant(0L)), (3, Interesting(bits, signed: true))).Select(increment => (bits, value, increment))));
        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (bits, value, increment) = t;
            var min = -(BigInteger.One << (bits - 1));
            var max = (BigInteger.One << (bits - 1)) - 1;
            // INCRBY only ever starts from a value of the type; SET checks any value with no increment.
            if (increment != 0 && (value < min || value > max))
            {
                return true;
            }
            if (max - value > long.MaxValue)
            {
                // Redis computes max - value in 64 bits; when that wraps, a far too small value reads as
                // too big (SAT picks the maximum). Covered by HugeNegativeSetSaturatesUpwardAsRedisDoes.
                return true;
            }
            var sum = (BigInteger)value + increment;
            var expected = sum > max ? 1 : sum < min ? -1 : 0;
            var wrapped = ((sum - min) % (BigInteger.One << bits) + (BigInteger.One << bits)) % (BigInteger.One << bits) + min;
            var status = BitfieldArithmetic.CheckSigned(value, increment, bits, BitfieldOverflow.Wrap, out var wrap);
            var satStatus = BitfieldArithmetic.CheckSigned(value, increment, bits, BitfieldOverflow.Sat, out var sat);
            return status == expected && satStatus == expected
                && (expected == 0 || ((BigInteger)wrap == wrapped && (BigInteger)sat == (expected > 0 ? max : min)));
        }));
    }

    [Fact]
    public void UnsignedOverflowMatchesExactArithmetic()
    {
        var gen = Gen.Choose(1, 63).SelectMany(bits => Interesting(bits, signed: false).SelectMany(value =>
            Gen.Frequency((1, Gen.Constant(0L)), (3, Interesting(bits, signed: true))).Select(increment => (bits, (ulong)value, increment))));
        Check.One(Runs, Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (bits, value, increment) = t;
            var max = (BigInteger.One << bits) - 1;
            if (increment != 0 && value > max)
            {
                return true;
            }
            var sum = (BigInteger)value + increment;
            var expected = sum > max ? 1 : sum < 0 ? -1 : 0;
            var wrapped = (sum % (max + 1) + max + 1) % (max + 1);
            var status = BitfieldArithmetic.CheckUnsigned(value, increment, bits, BitfieldOverflow.Wrap, out var wrap);
            var satStatus = BitfieldArithmetic.CheckUnsigned(value, increment, bits, BitfieldOverflow.Sat, out var sat);
            return status == expected && satStatus == expected
                && (expected == 0 || ((BigInteger)wrap == wrapped && (BigInteger)sat == (expected > 0 ? max : 0)));
        }));
    }

    [Fact]
    public void HugeNegativeSetSaturatesUpwardAsRedisDoes()
    {
        Assert.Equal(1, BitfieldArithmetic.CheckSigned(-9223372036854775806, 0, 23, BitfieldOverflow.Sat, out var sat));
        Assert.Equal((1L << 22) - 1, sat);
        Assert.Equal(-1, BitfieldArithmetic.CheckSigned(-200, 0, 8, BitfieldOverflow.Sat, out sat));
        Assert.Equal(-128, sat);
    }

    /// <summary>Values near the type's bounds, near zero, near the 64-bit bounds, or anywhere.</summary>
    private static Gen<long> Interesting(int bits, bool signed)
    {
        var top = signed ? (bits == 64 ? long.MaxValue : (1L << (bits - 1)) - 1) : (bits == 64 ? -1 : (long)((1UL << bits) - 1));
        var bottom = signed ? -top - 1 : 0;
        var near = Gen.Choose(-3, 3).SelectMany(d => Gen.Elements(top, bottom, 0L, long.MaxValue, long.MinValue).Select(b => unchecked(b + d)));
        return Gen.Frequency((3, near), (1, ArbMap.Default.GeneratorFor<long>()));
    }
}
