using System.IO.Pipelines;
using System.Text;
using IceFire.Gateway.Resp.Protocol;
using IceFire.Gateway.Resp.PubSub;
using IceFire.Grains.Interfaces;
using Xunit;

namespace IceFire.Gateway.Resp.Tests.PubSub;

public sealed class ConnectionSubscriberTests : IDisposable
{
    private readonly Pipe _input = new();
    private readonly Pipe _output = new(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024));
    private readonly ReplyBuffer _replies = new();
    private readonly RespReplyWriter _writer;
    private readonly ConnectionSubscriber _subscriber;

    public ConnectionSubscriberTests()
    {
        _writer = new RespReplyWriter(_replies);
        _subscriber = new ConnectionSubscriber(new DuplexPipe(_input.Reader, _output.Writer), _writer);
    }

    public void Dispose() => _replies.Dispose();

    [Fact]
    public async Task MessagesFromConcurrentPublishersReachTheOutputWholeAndInEachPublishersOrder()
    {
        const int threads = 4;
        const int each = 2000;
        var expectedBytes = 0L;
        for (var t = 0; t < threads; t++)
        {
            for (var i = 0; i < each; i++)
            {
                expectedBytes += Frame($"{t}:{i}").Length;
            }
        }
        var publishers = Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                _subscriber.OnMessage("ch"u8, Encoding.ASCII.GetBytes($"{t}:{i}"));
            }
        })).ToArray();
        var text = await ReadOutputAsync(expectedBytes);
        await Task.WhenAll(publishers);

        var next = new int[threads];
        var position = 0;
        while (position < text.Length)
        {
            var lines = text[position..].Split("\r\n", 8);
            var body = lines[6];
            var frame = Frame(body);
            Assert.Equal(frame, text.Substring(position, frame.Length));
            var parts = body.Split(':');
            Assert.Equal(next[int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            position += frame.Length;
        }
        Assert.All(next, n => Assert.Equal(each, n));
    }

    [Fact]
    public async Task PatternMessagesAreRenderedInTheConnectionsProtocol()
    {
        _writer.Protocol = RespProtocol.Resp3;
        _subscriber.OnPatternMessage("c*"u8, "c1"u8, "hi"u8);
        var expected = ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$2\r\nhi\r\n";
        Assert.Equal(expected, await ReadOutputAsync(expected.Length));
    }

    [Fact]
    public async Task WhileTheReadLoopHoldsTheOutputQueuedMessagesJoinItsRepliesInsteadOfTheSocket()
    {
        _writer.WriteRaw("+first\r\n"u8);
        await _subscriber.HoldOutputAsync(_writer);
        _subscriber.OnMessage("ch"u8, "m"u8);
        _subscriber.MoveQueuedTo(_writer);
        _writer.WriteRaw("+last\r\n"u8);
        _subscriber.ReleaseOutput();
        Assert.Equal("+first\r\n" + Frame("m") + "+last\r\n", Encoding.ASCII.GetString(_replies.WrittenMemory.Span));
        Assert.False(_output.Reader.TryRead(out _));
    }

    [Fact]
    public async Task ASubscriberWhoseQueueOutgrowsTheLimitIsClosedWithoutBlockingThePublisher()
    {
        var body = new byte[1024 * 1024];
        // Nobody reads the output: the drain stalls at the pipe's threshold (after handing it what it had
        // taken, which the limit does not count) and the queue grows.
        for (var i = 0; i < 100 && !_subscriber.Overflowed; i++)
        {
            _subscriber.OnMessage("ch"u8, body);
        }
        Assert.True(_subscriber.Overflowed);
        var read = await _input.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(read.IsCanceled, "the read loop should be woken to close the connection");
        await _subscriber.CloseAsync(new Grains.Streams.LocalPubSub()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        _subscriber.OnMessage("ch"u8, "after close"u8);
    }

    [Fact]
    public async Task ASubscriberOverTheSoftLimitIsClosedAfterTheSoftSeconds()
    {
        var limits = new ClientLimits(512L << 20);
        Assert.True(limits.TrySet("client-output-buffer-limit", "pubsub 0 1mb 1", apply: true, out var error));
        Assert.Null(error);
        var closed = 0;
        var subscriber = new ConnectionSubscriber(new DuplexPipe(_input.Reader, _output.Writer), _writer, limits, () => Interlocked.Increment(ref closed));
        var body = new byte[16 * 1024];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!subscriber.Overflowed)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "a subscriber over the soft limit was never closed");
            subscriber.OnMessage("ch"u8, body);
            // A publisher's pace, so the queue grows by megabytes a second, not gigabytes (the hard limit is off). Time
            // spent over the soft limit is the subject (the subscriber reads the real clock): this paces the load.
            await Task.Delay(5);
        }
        // Over 1 MB from the first messages on (nobody reads), closed only once the second had passed.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), $"closed after {watch.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(1, closed);
        await subscriber.CloseAsync(new Grains.Streams.LocalPubSub()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static string Frame(string body) => $"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n${body.Length}\r\n{body}\r\n";

    private async Task<string> ReadOutputAsync(long bytes)
    {
        var text = new StringBuilder();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (text.Length < bytes)
        {
            var result = await _output.Reader.ReadAsync(deadline.Token);
            foreach (var segment in result.Buffer)
            {
                text.Append(Encoding.ASCII.GetString(segment.Span));
            }
            _output.Reader.AdvanceTo(result.Buffer.End);
        }
        return text.ToString();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
