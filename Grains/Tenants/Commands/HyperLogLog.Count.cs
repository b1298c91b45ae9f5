namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// Redis' hllCount: the cardinality estimate of Otmar Ertl's "New cardinality estimation algorithms for HyperLogLog
/// sketches" (arXiv:1702.01284) from the histogram of register values, computed in the same order of floating-point
/// operations as redis-server so the estimates agree to the last unit.
/// </summary>
internal static partial class HyperLogLog
{
    private const int HistogramSize = 64;
    private const int Q = 50;
    private const double AlphaInf = 0.721347520444481703680;

    /// <summary>
    /// The estimate for a stored value (dense or sparse); <paramref name="invalid"/> is set when a sparse value does not
    /// cover exactly 16384 registers (Redis answers INVALIDOBJ then).
    /// </summary>
    public static ulong Count(ReadOnlySpan<byte> value, out bool invalid)
    {
        Span<int> histogram = stackalloc int[HistogramSize];
        histogram.Clear();
        invalid = false;
        if (value[4] == Dense)
        {
            var registers = value[HeaderSize..];
            for (var i = 0; i < Registers; i++)
            {
                histogram[DenseGet(registers, i)]++;
            }
        }
        else
        {
            invalid = !SparseHistogram(value[HeaderSize..], histogram);
        }
        return Estimate(histogram);
    }

    /// <summary>The estimate for 16384 one-byte registers (the union PFCOUNT builds over several keys).</summary>
    public static ulong CountRaw(ReadOnlySpan<byte> registers)
    {
        Span<int> histogram = stackalloc int[HistogramSize];
        histogram.Clear();
        for (var i = 0; i < Registers; i++)
        {
            // Redis' histogram is 64 entries and relies on registers staying below it; a raw register never exceeds 63.
            histogram[registers[i] & (HistogramSize - 1)]++;
        }
        return Estimate(histogram);
    }

    /// <summary>Redis' hllSparseRegHisto: every opcode counts, and the total must be 16384.</summary>
    private static bool SparseHistogram(ReadOnlySpan<byte> sparse, Span<int> histogram)
    {
        long index = 0;
        var p = 0;
        while (p < sparse.Length)
        {
            var op = sparse[p];
            if (IsZero(op))
            {
                var run = ZeroLength(op);
                index += run;
                histogram[0] += run;
                p++;
            }
            else if (IsXZero(op))
            {
                var run = XZeroLength(sparse, p);
                index += run;
                histogram[0] += run;
                p += 2;
            }
            else
            {
                var run = ValLength(op);
                index += run;
                histogram[ValValue(op)] += run;
                p++;
            }
        }
        return index == Registers;
    }

    private static ulong Estimate(ReadOnlySpan<int> histogram)
    {
        const double m = Registers;
        var z = m * Tau((m - histogram[Q + 1]) / m);
        for (var j = Q; j >= 1; j--)
        {
            z += histogram[j];
            z *= 0.5;
        }
        z += m * Sigma(histogram[0] / m);
        // llroundl: halves round away from zero.
        return (ulong)Math.Round(AlphaInf * m * m / z, MidpointRounding.AwayFromZero);
    }

    private static double Sigma(double x)
    {
        if (x == 1.0)
        {
            return double.PositiveInfinity;
        }
        double zPrime;
        var y = 1.0;
        var z = x;
        do
        {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        }
        while (zPrime != z);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0.0 || x == 1.0)
        {
            return 0.0;
        }
        double zPrime;
        var y = 1.0;
        var z = 1 - x;
        do
        {
            x = Math.Sqrt(x);
            zPrime = z;
            y *= 0.5;
            // Math.Pow is the C library's pow here, as in redis-server.
            z -= Math.Pow(1 - x, 2) * y;
        }
        while (zPrime != z);
        return z / 3;
    }
}
