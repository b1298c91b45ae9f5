using FsCheck;
using FsCheck.Fluent;
using IceFire.Grains.Tenants.Commands;
using Xunit;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>
/// The HyperLogLog encoding against bytes and counts redis-server 7.0.15 produced, and the sparse updates against a
/// model of 16384 plain registers.
/// </summary>
public sealed class HyperLogLogTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static byte[] Bytes(ref HllBuffer hll) => hll.Span.ToArray();

    /// <summary>The 16384 registers of a value, decoded through the union path.</summary>
    private static byte[] Registers(ReadOnlySpan<byte> value)
    {
        var registers = new byte[HyperLogLog.Registers];
        Assert.True(HyperLogLog.TryMerge(registers, value));
        return registers;
    }

    [Fact]
    public void AnEmptyValueIsOneXZeroOverEveryRegisterWithAValidCacheOfZero()
    {
        var hll = HllBuffer.Empty();
        try
        {
            Assert.Equal(Convert.FromHexString("48594C4C01000000" + "0000000000000000" + "7FFF"), Bytes(ref hll));
            Assert.True(HyperLogLog.IsValid(hll.Span));
            Assert.True(HyperLogLog.IsCacheValid(hll.Span));
            Assert.Equal(0UL, HyperLogLog.Count(hll.Span, out var invalid));
            Assert.False(invalid);
        }
        finally
        {
            hll.Dispose();
        }
    }

    [Theory]
    [InlineData("", 0xd8dfea6585bc9732UL)]
    [InlineData("a", 0x53d2470a9b43b1a7UL)]
    [InlineData("abcdefgh", 0xf3a65df559914567UL)]
    [InlineData("hello world 123", 0x7eed4eba68315b63UL)]
    public void MurmurHash64AMatchesRedisSeed(string input, ulong expected) =>
        Assert.Equal(expected, HyperLogLog.MurmurHash64A(System.Text.Encoding.ASCII.GetBytes(input), 0xadc83b19));

    [Fact]
    public void AddingThreeElementsWritesTheBytesRedisWrites()
    {
        var hll = HllBuffer.Empty();
        try
        {
            foreach (var element in new[] { "a", "b", "c" })
            {
                Assert.Equal(1, HyperLogLog.Add(ref hll, System.Text.Encoding.ASCII.GetBytes(element)));
            }
            Assert.Equal(0, HyperLogLog.Add(ref hll, "a"u8));
            // GET after PFADD k a b c on redis-server 7.0.15.
            Assert.Equal(Convert.FromHexString("48594C4C01000000" + "0000000000000080" + "60F38050B1844BFB80425A"), Bytes(ref hll));
            Assert.False(HyperLogLog.IsCacheValid(hll.Span));
            Assert.Equal(3UL, HyperLogLog.Count(hll.Span, out _));
        }
        finally
        {
            hll.Dispose();
        }
    }

    [Fact]
    public void ManyElementsPromoteToDenseAndCountAsRedisDoes()
    {
        var hll = HllBuffer.Empty();
        try
        {
            // PFADD of v0..v999, v3000..v3999, ... (100 000 elements); redis-server 7.0.15 counts 99885.
            for (var chunk = 0; chunk < 300; chunk += 3)
            {
                for (var j = 0; j < 1000; j++)
                {
                    HyperLogLog.Add(ref hll, System.Text.Encoding.ASCII.GetBytes("v" + (chunk * 1000 + j)));
                }
            }
            Assert.Equal(HyperLogLog.Dense, hll.Bytes[4]);
            Assert.Equal(HyperLogLog.DenseSize, hll.Length);
            Assert.Equal(99885UL, HyperLogLog.Count(hll.Span, out _));
            Assert.Equal(99885UL, HyperLogLog.CountRaw(Registers(hll.Span)));
        }
        finally
        {
            hll.Dispose();
        }
    }

    [Fact]
    public void ACountAboveThirtyTwoPromotesAndKeepsTheHeader()
    {
        var hll = HllBuffer.Empty();
        try
        {
            hll.Bytes[5] = 7;
            hll.Bytes[8] = 42;
            Assert.Equal(1, HyperLogLog.SparseSet(ref hll, 100, 32));
            Assert.Equal(HyperLogLog.Sparse, hll.Bytes[4]);
            Assert.Equal(1, HyperLogLog.SparseSet(ref hll, 16383, 33));
            Assert.Equal(HyperLogLog.Dense, hll.Bytes[4]);
            var registers = hll.Span[HyperLogLog.HeaderSize..];
            Assert.Equal(32, HyperLogLog.DenseGet(registers, 100));
            Assert.Equal(33, HyperLogLog.DenseGet(registers, 16383));
            Assert.Equal(7, hll.Bytes[5]);
            Assert.Equal(42, hll.Bytes[8]);
            Assert.False(HyperLogLog.IsCacheValid(hll.Span));
        }
        finally
        {
            hll.Dispose();
        }
    }

    [Theory]
    [InlineData("7FFE")] // 16383 registers
    [InlineData("7FFF7FFF")] // 32768 registers
    [InlineData("7FFE83")] // a VAL run past the last register
    [InlineData("7F")] // an XZERO cut in half
    [InlineData("")] // no opcodes
    public void SparseOpcodesThatDoNotCoverEveryRegisterAreCorrupt(string opcodes)
    {
        var value = Convert.FromHexString("48594C4C010000000000000000000080" + opcodes);
        Assert.True(HyperLogLog.IsValid(value));
        HyperLogLog.Count(value, out var invalid);
        Assert.True(invalid);
        Assert.False(HyperLogLog.TryMerge(new byte[HyperLogLog.Registers], value));
        var hll = HllBuffer.CopyOf(value);
        try
        {
            Assert.False(HyperLogLog.TryToDense(ref hll));
            Assert.Equal(value, Bytes(ref hll));
        }
        finally
        {
            hll.Dispose();
        }
    }

    [Theory]
    [InlineData("48594C4C01000000000000000000007F")] // header only: valid as a string, corrupt as opcodes
    [InlineData("48594C4C0000000000000000000000007FFF")] // dense of the wrong length
    [InlineData("48594C4C0200000000000000000000007FFF")] // unknown encoding
    [InlineData("48594C4C010000000000000000007F")] // shorter than a header
    [InlineData("48594D4C010000000000000000000000007FFF")] // wrong magic
    public void OnlyHyllStringsOfAKnownEncodingAndSizeAreHyperLogLogs(string hex)
    {
        var value = Convert.FromHexString(hex);
        Assert.Equal(hex.StartsWith("48594C4C01", StringComparison.Ordinal) && value.Length >= 16, HyperLogLog.IsValid(value));
    }

    [Fact]
    public void DenseRegistersRoundTripWithoutTouchingTheirNeighbours()
    {
        var registers = new byte[HyperLogLog.DenseSize - HyperLogLog.HeaderSize];
        for (var i = 0; i < HyperLogLog.Registers; i++)
        {
            Assert.True(HyperLogLog.DenseSet(registers, i, (i % 63) + 1));
        }
        for (var i = 0; i < HyperLogLog.Registers; i++)
        {
            Assert.Equal((i % 63) + 1, HyperLogLog.DenseGet(registers, i));
            Assert.False(HyperLogLog.DenseSet(registers, i, i % 63));
        }
    }

    /// <summary>Up to 400 register updates, clustered on a few hundred registers so runs form, split and merge.</summary>
    private static Gen<(int Index, int Count)[]> Updates() =>
        Gen.Choose(0, 400).SelectMany(n => Gen.ArrayOf(
            Gen.Frequency(
                (3, Gen.Choose(0, 300)),
                (1, Gen.Choose(0, HyperLogLog.Registers - 1)),
                (1, Gen.Choose(HyperLogLog.Registers - 40, HyperLogLog.Registers - 1))).SelectMany(index =>
                Gen.Frequency((8, Gen.Choose(1, 4)), (2, Gen.Choose(1, 32)), (1, Gen.Choose(33, 51))).Select(count => (index, count))),
            n));

    [Fact]
    public void SparseUpdatesHoldTheMaximumOfEachRegisterAndCountAsTheirDenseForm()
    {
        Check.One(Runs, Prop.ForAll(Updates().ToArbitrary(), updates =>
        {
            var model = new byte[HyperLogLog.Registers];
            var hll = HllBuffer.Empty();
            try
            {
                foreach (var (index, count) in updates)
                {
                    var grows = count > model[index];
                    var result = hll.Bytes[4] == HyperLogLog.Dense
                        ? HyperLogLog.DenseSet(hll.Span[HyperLogLog.HeaderSize..], index, count) ? 1 : 0
                        : HyperLogLog.SparseSet(ref hll, index, count);
                    if (result != (grows ? 1 : 0))
                    {
                        return false;
                    }
                    model[index] = Math.Max(model[index], (byte)count);
                    if (hll.Bytes[4] == HyperLogLog.Sparse && hll.Length > HyperLogLog.SparseMaxBytes)
                    {
                        return false;
                    }
                }
                var sparseCount = HyperLogLog.Count(hll.Span, out var invalid);
                var registers = Registers(hll.Span);
                Assert.True(HyperLogLog.TryToDense(ref hll));
                return !invalid && registers.AsSpan().SequenceEqual(model)
                    && Registers(hll.Span).AsSpan().SequenceEqual(model)
                    && sparseCount == HyperLogLog.Count(hll.Span, out _)
                    && sparseCount == HyperLogLog.CountRaw(model);
            }
            finally
            {
                hll.Dispose();
            }
        }));
    }
}
