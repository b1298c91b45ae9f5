using System.Text;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>
/// Mutational input generator: takes a well-formed protocol frame from a corpus and damages it the ways
/// that find parser and decoder bugs (flipped and random bytes, inserted and deleted runs, length headers
/// replaced by extreme numbers, duplicated and spliced chunks, truncation). Deterministic for a seed, so a
/// failure can be replayed with ICEFIRE_FUZZ_SEED.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[][] InterestingNumbers =
    [
        "0"u8.ToArray(), "-1"u8.ToArray(), "-2"u8.ToArray(), "1"u8.ToArray(), "65536"u8.ToArray(),
        "2147483647"u8.ToArray(), "2147483648"u8.ToArray(), "-2147483648"u8.ToArray(),
        "4294967295"u8.ToArray(), "9223372036854775807"u8.ToArray(), "-9223372036854775808"u8.ToArray(),
        "99999999999999999999"u8.ToArray(), "1e308"u8.ToArray(), "nan"u8.ToArray(), "inf"u8.ToArray(),
        "0x10"u8.ToArray(), "00"u8.ToArray(), ""u8.ToArray(),
    ];

    private static readonly byte[][] InterestingBinary =
    [
        [0x7f, 0xff, 0xff, 0xff], [0x80, 0x00, 0x00, 0x00], [0xff, 0xff, 0xff, 0xff], [0x00, 0x00, 0x00, 0x00],
        [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x80, 0, 0, 0, 0, 0, 0, 0], [0x00, 0x01], [0xff, 0xfe],
    ];

    private static readonly byte[] Punctuation = "*$:+-\0\"'\\ \t"u8.ToArray();

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>One to <paramref name="maxSteps"/> mutations applied to a copy of <paramref name="input"/>.</summary>
    public byte[] Mutate(byte[] input, int maxSteps = 6)
    {
        var data = new List<byte>(input);
        var steps = 1 + _random.Next(maxSteps);
        for (var i = 0; i < steps; i++)
        {
            Step(data);
        }
        return [.. data];
    }

    /// <summary>Several corpus frames one after another, some of them mutated: a pipeline.</summary>
    public byte[] Pipeline(IReadOnlyList<byte[]> corpus, int maxFrames, double mutateShare)
    {
        var output = new List<byte>();
        var frames = 1 + _random.Next(maxFrames);
        for (var i = 0; i < frames; i++)
        {
            var frame = corpus[_random.Next(corpus.Count)];
            output.AddRange(_random.NextDouble() < mutateShare ? Mutate(frame) : frame);
        }
        return [.. output];
    }

    private void Step(List<byte> data)
    {
        if (data.Count == 0)
        {
            data.Add((byte)_random.Next(256));
            return;
        }
        var at = _random.Next(data.Count);
        switch (_random.Next(10))
        {
            case 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                data[at] = (byte)_random.Next(256);
                break;
            case 2:
                data.InsertRange(at, RandomBytes(1 + _random.Next(16)));
                break;
            case 3:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 4:
                ReplaceNumber(data, at, InterestingNumbers[_random.Next(InterestingNumbers.Length)]);
                break;
            case 5:
            {
                var chunk = data.GetRange(at, Math.Min(data.Count - at, 1 + _random.Next(64)));
                var copies = 1 + _random.Next(_random.Next(8) == 0 ? 200 : 4);
                for (var i = 0; i < copies; i++)
                {
                    data.InsertRange(at, chunk);
                }
                break;
            }
            case 6:
                data.RemoveRange(at, data.Count - at);
                break;
            case 7:
                data.InsertRange(at, "\r\n"u8.ToArray());
                break;
            case 8:
            {
                var value = InterestingBinary[_random.Next(InterestingBinary.Length)];
                for (var i = 0; i < value.Length && at + i < data.Count; i++)
                {
                    data[at + i] = value[i];
                }
                break;
            }
            default:
                data.Insert(at, Punctuation[_random.Next(Punctuation.Length)]);
                break;
        }
    }

    /// <summary>Replaces the run of ASCII digits (and sign) around <paramref name="at"/>, or inserts the number there.</summary>
    private static void ReplaceNumber(List<byte> data, int at, byte[] number)
    {
        var start = at;
        while (start > 0 && IsNumberByte(data[start - 1]))
        {
            start--;
        }
        var end = at;
        while (end < data.Count && IsNumberByte(data[end]))
        {
            end++;
        }
        data.RemoveRange(start, end - start);
        data.InsertRange(start, number);
    }

    private static bool IsNumberByte(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (byte)'-';

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Printable form of an input for a failure message.</summary>
    public static string Show(byte[] input, int max = 200)
    {
        var text = new StringBuilder();
        foreach (var b in input.AsSpan(0, Math.Min(input.Length, max)))
        {
            text.Append(b is >= 32 and < 127 ? ((char)b).ToString() : $"\\x{b:x2}");
        }
        if (input.Length > max)
        {
            text.Append($"... ({input.Length} bytes)");
        }
        return text.ToString();
    }
}
