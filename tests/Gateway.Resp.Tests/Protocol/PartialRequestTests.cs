using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using IceFire.Gateway.Resp.Protocol;
using Xunit;
using static IceFire.Gateway.Resp.Tests.Protocol.ParseHelper;

namespace IceFire.Gateway.Resp.Tests.Protocol;

/// <summary>
/// Requests that arrive in pieces, fed as the connection feeds them: the in-place parser over the first block, the
/// partial request for whatever is not whole there. Every byte is parsed once, whatever the split.
/// </summary>
public sealed class PartialRequestTests
{
    [Fact]
    public void AHugeRequestInSmallPacketsCostsItsLengthOnce()
    {
        var args = new byte[200_001][];
        args[0] = Bytes("ECHO");
        for (var i = 1; i < args.Length; i++)
        {
            args[i] = [(byte)'x'];
        }
        var frame = Multibulk(args);
        var feeder = new Feeder();
        var parsed = feeder.Run(frame, [1460]);
        Assert.Single(parsed);
        Assert.Equal(args.Length, parsed[0].Length);
        // The stateless parser scanned the frame again from its start for every packet: 1.4 MB times 1,000 packets.
        Assert.True(feeder.Scanned <= 2L * frame.Length, $"{feeder.Scanned} bytes scanned for a frame of {frame.Length}");
    }

    [Fact]
    public void RandomPipelinesInRandomPacketsParseAsSent()
    {
        var bytes = Gen.Choose(0, 255).Select(b => (byte)b);
        var argGen = Gen.Frequency(
            (6, Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(bytes, n))),
            (2, Gen.ArrayOf(Gen.Elements((byte)'\r', (byte)'\n', (byte)'*', (byte)'$', (byte)'"', (byte)'0'), 5)),
            (1, Gen.Choose(100, 5000).SelectMany(n => Gen.ArrayOf(bytes, n))));
        var commandGen = Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(argGen, n));
        var pipelineGen = Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(commandGen, n));
        var chunkGen = Gen.ArrayOf(Gen.Choose(1, 700), 32);
        Prop.ForAll(Gen.Zip(pipelineGen, chunkGen).ToArbitrary(), pair =>
        {
            var (commands, chunks) = pair;
            var stream = commands.SelectMany(c => Multibulk(c)).ToArray();
            var parsed = new Feeder().Run(stream, chunks);
            return commands.Length == parsed.Count
                && commands.Zip(parsed).All(p => p.First.Length == p.Second.Length && p.First.Zip(p.Second).All(a => a.First.AsSpan().SequenceEqual(a.Second)));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void InlineCommandsAcrossPacketsAreSplitAsWhole()
    {
        var parsed = new Feeder().Run(Bytes("SET k \"two words\"\r\nPING\r\n"), [3]);
        Assert.Equal(2, parsed.Count);
        Assert.Equal(["SET", "k", "two words"], parsed[0].Select(a => System.Text.Encoding.Latin1.GetString(a)));
    }

    [Theory]
    [InlineData("*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n")]
    [InlineData("*2\r\n$4\r\nAUTH\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n")]
    [InlineData("*2\r\n$4\r\nAUTH\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n")]
    [InlineData("*1\r\n+PING\r\n", "-ERR Protocol error: expected '+', got '+'\r\n")]
    public void ErrorsInPiecesAreTheWholeFramesErrors(string input, string expected)
    {
        var partial = new PartialRequest();
        var args = new ArgumentList();
        var bytes = Bytes(input);
        byte[]? error = null;
        var status = ParseStatus.Incomplete;
        for (var i = 0; i < bytes.Length && status == ParseStatus.Incomplete; i++)
        {
            status = partial.Feed(new ReadOnlySequence<byte>(bytes, i, 1), args, Limits, authenticated: false, keepHeld: false, out _, out error);
        }
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(expected.Replace("expected '+'", "expected '$'"), System.Text.Encoding.Latin1.GetString(error!));
    }

    [Fact]
    public void AHeaderLineWithoutEndIsRefusedAtTheInlineLimit()
    {
        var partial = new PartialRequest();
        var input = Bytes("*1\r\n$" + new string('1', 70_000));
        var status = partial.Feed(new ReadOnlySequence<byte>(input), new ArgumentList(), Limits, true, false, out _, out var error);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal("-ERR Protocol error: too big bulk count string\r\n", System.Text.Encoding.Latin1.GetString(error!));
    }

    /// <summary>Delivers a stream in packets, each its own block of input, and parses as the connection does.</summary>
    private sealed class Feeder
    {
        private readonly PartialRequest _partial = new();
        private readonly ArgumentList _args = new();

        /// <summary>Bytes the in-place parser was offered plus bytes the partial request took.</summary>
        public long Scanned => _offered + _partial.Scanned;

        private long _offered;

        public List<byte[][]> Run(byte[] stream, int[] chunkSizes)
        {
            var parsed = new List<byte[][]>();
            var pending = new List<byte[]>();
            var sent = 0;
            var chunk = 0;
            while (sent < stream.Length)
            {
                var size = Math.Min(stream.Length - sent, chunkSizes[chunk++ % chunkSizes.Length]);
                // Each packet in two blocks, as a socket's input often is: frames also cross block boundaries.
                var half = size / 2;
                if (half > 0)
                {
                    pending.Add(stream[sent..(sent + half)]);
                }
                pending.Add(stream[(sent + half)..(sent + size)]);
                sent += size;
                var input = Sequence(pending);
                long offset = 0;
                while (offset < input.Length)
                {
                    ParseStatus status;
                    long consumed;
                    byte[]? error;
                    if (!_partial.InProgress)
                    {
                        var first = input.Slice(offset).First;
                        _offered += first.Length;
                        status = RespParser.TryParse(first, _args, Limits, true, out var used, out _, out error);
                        consumed = used;
                        if (status == ParseStatus.Incomplete)
                        {
                            status = _partial.Feed(input.Slice(offset), _args, Limits, true, false, out consumed, out error);
                        }
                    }
                    else
                    {
                        status = _partial.Feed(input.Slice(offset), _args, Limits, true, false, out consumed, out error);
                    }
                    offset += consumed;
                    if (status == ParseStatus.Error)
                    {
                        throw new InvalidOperationException("valid input was refused: " + System.Text.Encoding.Latin1.GetString(error!));
                    }
                    if (status == ParseStatus.Complete)
                    {
                        var command = new byte[_args.Count][];
                        for (var i = 0; i < _args.Count; i++)
                        {
                            command[i] = _args[i].ToArray();
                        }
                        parsed.Add(command);
                    }
                }
                // Everything was consumed: complete frames ran, the rest moved into the partial request.
                pending.Clear();
            }
            return parsed;
        }

        private static ReadOnlySequence<byte> Sequence(List<byte[]> blocks)
        {
            var first = new Block(blocks[0], 0);
            var last = first;
            for (var i = 1; i < blocks.Count; i++)
            {
                last = last.Append(blocks[i]);
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }

    private sealed class Block : ReadOnlySequenceSegment<byte>
    {
        public Block(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Block Append(byte[] data)
        {
            var next = new Block(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
