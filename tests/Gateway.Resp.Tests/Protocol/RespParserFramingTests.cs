using FsCheck;
using FsCheck.Fluent;
using IceFire.Gateway.Resp.Protocol;
using Xunit;
using static IceFire.Gateway.Resp.Tests.Protocol.ParseHelper;

namespace IceFire.Gateway.Resp.Tests.Protocol;

/// <summary>Frames that arrive in pieces: the parser waits, says how much it needs, and never misparses.</summary>
public sealed class RespParserFramingTests
{
    public static TheoryData<string> Frames => new()
    {
        "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
        "*3\r\n$3\r\nSET\r\n$10\r\n0123456789\r\n$0\r\n\r\n",
        "*1\r\n$12\r\nwith\r\nCRLF!!\r\n",
        "*0\r\n",
        "*-1\r\n",
        "PING\r\n",
        "SET k \"quoted value\"\r\n",
        "\r\n",
        "ECHO x\n",
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void AFrameSplitAtEveryPositionIsIncompleteUntilWhole(string text)
    {
        var frame = Bytes(text);
        for (var cut = 0; cut < frame.Length; cut++)
        {
            var prefix = Parse(frame[..cut]);
            Assert.True(prefix.Status == ParseStatus.Incomplete, $"cut at {cut} of {text.ReplaceLineEndings("\\n")} gave {prefix.Status}");
            Assert.True(prefix.Needed > cut, $"cut at {cut}: needed {prefix.Needed} is not more than what is there");
            Assert.True(prefix.Needed <= frame.Length, $"cut at {cut}: needed {prefix.Needed} is more than the frame's {frame.Length}");
            Assert.Equal(0, prefix.Consumed);
        }
        var whole = Parse(frame);
        Assert.Equal(ParseStatus.Complete, whole.Status);
        Assert.Equal(frame.Length, whole.Consumed);
    }

    [Fact]
    public void NeededPointsAtTheEndOfALargeBulkSoItIsNotRescannedPerPacket()
    {
        var value = new byte[100_000];
        var frame = Multibulk(Bytes("SET"), Bytes("k"), value);
        var headerEnd = frame.Length - value.Length - 2;
        var result = Parse(frame[..(headerEnd + 10)]);
        Assert.Equal(ParseStatus.Incomplete, result.Status);
        Assert.Equal(frame.Length, result.Needed);
    }

    [Fact]
    public void RandomArgumentArraysRoundTripWholeAndInRandomChunks()
    {
        var bytes = Gen.Choose(0, 255).Select(b => (byte)b);
        var argGen = Gen.Frequency(
            (6, Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(bytes, n))),
            (2, Gen.ArrayOf(Gen.Elements((byte)'\r', (byte)'\n', (byte)'*', (byte)'$', (byte)'"', (byte)'0'), 5)),
            (1, Gen.Choose(100, 3000).SelectMany(n => Gen.ArrayOf(bytes, n))));
        var commandGen = Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(argGen, n));
        var pipelineGen = Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(commandGen, n));
        var chunkGen = Gen.ArrayOf(Gen.Choose(1, 64), 64);
        Prop.ForAll(Gen.Zip(pipelineGen, chunkGen).ToArbitrary(), pair =>
        {
            var (commands, chunks) = pair;
            var stream = commands.SelectMany(c => Multibulk(c)).ToArray();
            return Same(commands, Feed(stream, [stream.Length]))
                && Same(commands, Feed(stream, chunks));
        }).QuickCheckThrowOnFailure();
    }

    private static bool Same(byte[][][] expected, List<byte[][]> actual) =>
        expected.Length == actual.Count
        && expected.Zip(actual).All(p => p.First.Length == p.Second.Length && p.First.Zip(p.Second).All(a => a.First.AsSpan().SequenceEqual(a.Second)));

    /// <summary>Feeds the stream in chunks as a connection receives it, parsing whatever is complete.</summary>
    private static List<byte[][]> Feed(byte[] stream, int[] chunkSizes)
    {
        var parsed = new List<byte[][]>();
        var args = new ArgumentList();
        var received = 0;
        var start = 0;
        var chunk = 0;
        while (received < stream.Length)
        {
            received = Math.Min(stream.Length, received + chunkSizes[chunk++ % chunkSizes.Length]);
            while (true)
            {
                var status = RespParser.TryParse(stream.AsMemory(start, received - start), args, Limits, true, out var consumed, out var needed, out var error);
                if (status == ParseStatus.Error)
                {
                    throw new InvalidOperationException("valid input was refused: " + System.Text.Encoding.Latin1.GetString(error!));
                }
                if (status == ParseStatus.Incomplete)
                {
                    if (needed <= received - start)
                    {
                        throw new InvalidOperationException($"incomplete but needs only {needed} of the {received - start} bytes there");
                    }
                    break;
                }
                var command = new byte[args.Count][];
                for (var i = 0; i < args.Count; i++)
                {
                    command[i] = args[i].ToArray();
                }
                parsed.Add(command);
                start += consumed;
            }
        }
        return parsed;
    }
}
