using System.Diagnostics;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>Pub/sub with several real connections on a real silo; expected frames are those redis-server 7.0 sends.</summary>
public sealed class PubSubTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    private int Port => _silo!.Port;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync(_temp.Sub("data"));

    public async Task DisposeAsync() => await _silo!.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TwoSubscribersReceiveWhatAThirdPublishesInResp2()
    {
        using var a = RespSocket.Connect(Port);
        using var b = RespSocket.Connect(Port);
        using var publisher = RespSocket.Connect(Port);
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", a.Call("SUBSCRIBE", "news"));
        a.Command("SUBSCRIBE", "sport", "news");
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:2\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", b.Call("SUBSCRIBE", "news"));

        Assert.Equal(":2\r\n", publisher.Call("PUBLISH", "news", "hello"));
        Assert.Equal(":1\r\n", publisher.Call("PUBLISH", "sport", "goal"));
        Assert.Equal(":0\r\n", publisher.Call("PUBLISH", "weather", "rain"));

        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$5\r\nsport\r\n$4\r\ngoal\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", b.ReadReply());
        // Nothing else was queued for b: its next frame is the reply to its own command.
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", b.Call("PING"));
    }

    [Fact]
    public void Resp3PushesMessagesWhileOrdinaryCommandsKeepWorking()
    {
        using var subscriber = RespSocket.Connect(Port);
        using var publisher = RespSocket.Connect(Port);
        Assert.StartsWith("%7\r\n", subscriber.Call("HELLO", "3"));
        Assert.Equal(">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n", subscriber.Call("UNSUBSCRIBE"));
        Assert.Equal(">3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n", subscriber.Call("SUBSCRIBE", "c1"));
        Assert.Equal(">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n", subscriber.Call("PSUBSCRIBE", "c*"));
        Assert.Equal("+PONG\r\n", subscriber.Call("PING"));
        Assert.Equal("+OK\r\n", subscriber.Call("SET", "k", "v"));
        Assert.Equal("$1\r\nv\r\n", subscriber.Call("GET", "k"));

        Assert.Equal(":2\r\n", publisher.Call("PUBLISH", "c1", "hello"));
        Assert.Equal(">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$5\r\nhello\r\n", subscriber.ReadReply());
        Assert.Equal(">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$5\r\nhello\r\n", subscriber.ReadReply());
        Assert.Equal("*2\r\n$2\r\nc1\r\n:1\r\n", subscriber.Call("PUBSUB", "NUMSUB", "c1"));

        // A connection subscribed to its own channel gets the message before PUBLISH's reply, as in Redis.
        subscriber.Command("PUBLISH", "c1", "self");
        Assert.Equal(">3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$4\r\nself\r\n", subscriber.ReadReply());
        Assert.Equal(">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nc1\r\n$4\r\nself\r\n", subscriber.ReadReply());
        Assert.Equal(":2\r\n", subscriber.ReadReply());

        Assert.Equal(">3\r\n$11\r\nunsubscribe\r\n$2\r\nc1\r\n:1\r\n", subscriber.Call("UNSUBSCRIBE"));
        Assert.Equal(">3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:0\r\n", subscriber.Call("PUNSUBSCRIBE"));
        Assert.Equal(">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n", subscriber.Call("PUNSUBSCRIBE"));
        Assert.Equal(":0\r\n", publisher.Call("PUBLISH", "c1", "gone"));
        Assert.Equal("+PONG\r\n", subscriber.Call("PING"));
    }

    [Fact]
    public void PatternSubscriptionsMatchAsRedisGlobsAndCountOncePerMatch()
    {
        using var a = RespSocket.Connect(Port);
        using var publisher = RespSocket.Connect(Port);
        a.Command("PSUBSCRIBE", "news.*", "news.[st]*", "h?llo");
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$10\r\nnews.[st]*\r\n:2\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$10\r\npsubscribe\r\n$5\r\nh?llo\r\n:3\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$9\r\nnews.tech\r\n:4\r\n", a.Call("SUBSCRIBE", "news.tech"));

        // The channel's subscriber first, then one pmessage per matching pattern: three deliveries.
        Assert.Equal(":3\r\n", publisher.Call("PUBLISH", "news.tech", "x"));
        Assert.Equal(":1\r\n", publisher.Call("PUBLISH", "hallo", "y"));
        Assert.Equal(":0\r\n", publisher.Call("PUBLISH", "news", "z"));
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$9\r\nnews.tech\r\n$1\r\nx\r\n", a.ReadReply());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$9\r\nnews.tech\r\n$1\r\nx\r\n", a.ReadReply());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$10\r\nnews.[st]*\r\n$9\r\nnews.tech\r\n$1\r\nx\r\n", a.ReadReply());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$5\r\nh?llo\r\n$5\r\nhallo\r\n$1\r\ny\r\n", a.ReadReply());

        Assert.Equal("*3\r\n$12\r\npunsubscribe\r\n$6\r\nnews.*\r\n:3\r\n", a.Call("PUNSUBSCRIBE", "news.*"));
        Assert.Equal(":2\r\n", publisher.Call("PUBLISH", "news.tech", "again"));
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$9\r\nnews.tech\r\n$5\r\nagain\r\n", a.ReadReply());
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$10\r\nnews.[st]*\r\n$9\r\nnews.tech\r\n$5\r\nagain\r\n", a.ReadReply());
    }

    [Fact]
    public void PubSubReportsChannelsSubscribersAndDistinctPatterns()
    {
        using var a = RespSocket.Connect(Port);
        using var b = RespSocket.Connect(Port);
        using var observer = RespSocket.Connect(Port);
        a.Command("SUBSCRIBE", "red", "green");
        a.ReadReply();
        a.ReadReply();
        b.Call("SUBSCRIBE", "red");
        a.Call("PSUBSCRIBE", "r*");
        b.Command("PSUBSCRIBE", "r*", "g*");
        b.ReadReply();
        b.ReadReply();

        Assert.Equal("*6\r\n$3\r\nred\r\n:2\r\n$5\r\ngreen\r\n:1\r\n$4\r\nblue\r\n:0\r\n", observer.Call("PUBSUB", "NUMSUB", "red", "green", "blue"));
        // Redis 7 counts distinct patterns, not pattern subscriptions.
        Assert.Equal(":2\r\n", observer.Call("PUBSUB", "NUMPAT"));
        Assert.Equal("*2\r\n$3\r\nred\r\n$5\r\ngreen\r\n", Sorted(observer.Call("PUBSUB", "CHANNELS")));
        Assert.Equal("*1\r\n$3\r\nred\r\n", observer.Call("PUBSUB", "CHANNELS", "r?d"));
        Assert.Equal("*0\r\n", observer.Call("PUBSUB", "CHANNELS", "x*"));

        Assert.Equal("+RESET\r\n", b.Call("RESET"));
        // RESET drops b's subscriptions before it answers.
        Assert.Equal("*2\r\n$3\r\nred\r\n:1\r\n", observer.Call("PUBSUB", "NUMSUB", "red"));
        Assert.Equal(":1\r\n", observer.Call("PUBSUB", "NUMPAT"));
        Assert.Equal("$1\r\nx\r\n", b.Call("ECHO", "x"));
    }

    [Fact]
    public void ClientListAndInfoShowSubscriptions()
    {
        using var a = RespSocket.Connect(Port);
        using var observer = RespSocket.Connect(Port);
        a.Call("HELLO", "3");
        a.Call("SUBSCRIBE", "listed");
        a.Call("PSUBSCRIBE", "l*");
        // RESP3 allows any command while subscribed.
        Assert.Contains(" flags=P db=0 sub=1 psub=1 ssub=0 ", a.Call("CLIENT", "INFO"));
        Assert.Contains(" flags=N db=0 sub=0 psub=0 ssub=0 ", observer.Call("CLIENT", "INFO"));
        var info = observer.Call("INFO", "stats");
        Assert.Contains("pubsub_channels:1\r\n", info);
        Assert.Contains("pubsub_patterns:1\r\n", info);
    }

    [Fact]
    public void SubscribedResp2ConnectionAcceptsOnlyPubSubCommands()
    {
        using var a = RespSocket.Connect(Port);
        a.Call("SUBSCRIBE", "ch");
        Assert.Equal("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
            a.Call("GET", "k"));
        Assert.Equal("-ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
            a.Call("CLIENT", "ID"));
        Assert.Equal("-ERR unknown subcommand 'NOPE'. Try CLIENT HELP.\r\n", a.Call("CLIENT", "NOPE"));
        Assert.Equal("*2\r\n$4\r\npong\r\n$2\r\nhi\r\n", a.Call("PING", "hi"));
        Assert.Equal("*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n", a.Call("UNSUBSCRIBE"));
        Assert.Equal("$-1\r\n", a.Call("GET", "k"));
        Assert.Equal("+PONG\r\n", a.Call("PING"));
    }

    [Fact]
    public void PipelinedCommandsAndQueuedMessagesKeepRedisOrder()
    {
        using var a = RespSocket.Connect(Port);
        using var publisher = RespSocket.Connect(Port);
        a.Call("SET", "k", "v");
        // Replies before SUBSCRIBE, then subscribed-mode rules for the rest of the same pipeline.
        a.Send("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n");
        Assert.Equal("$1\r\nv\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", a.ReadReply());
        Assert.StartsWith("-ERR Can't execute 'get'", a.ReadReply());
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", a.ReadReply());

        // Messages published before UNSUBSCRIBE come before its reply; none come after it.
        Assert.Equal(":1\r\n", publisher.Call("PUBLISH", "c", "one"));
        Assert.Equal(":1\r\n", publisher.Call("PUBLISH", "c", "two"));
        a.Command("UNSUBSCRIBE", "c", "c");
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$3\r\none\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$3\r\ntwo\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n", a.ReadReply());
        Assert.Equal("*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n", a.ReadReply());
        Assert.Equal(":0\r\n", publisher.Call("PUBLISH", "c", "three"));
        Assert.Equal("$1\r\nv\r\n", a.Call("GET", "k"));

        // RESET: what was queued first, then +RESET, and the connection is unsubscribed.
        a.Call("PSUBSCRIBE", "*");
        Assert.Equal(":1\r\n", publisher.Call("PUBLISH", "z", "1"));
        a.Command("RESET");
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\nz\r\n$1\r\n1\r\n", a.ReadReply());
        Assert.Equal("+RESET\r\n", a.ReadReply());
        Assert.Equal(":0\r\n", publisher.Call("PUBLISH", "z", "2"));
        Assert.Equal("+PONG\r\n", a.Call("PING"));
    }

    [Fact]
    public void ClosingAConnectionDropsItsSubscriptions()
    {
        using var observer = RespSocket.Connect(Port);
        using (var a = RespSocket.Connect(Port))
        {
            a.Call("SUBSCRIBE", "closing");
            a.Call("PSUBSCRIBE", "closing.*");
            Assert.Equal("*2\r\n$7\r\nclosing\r\n:1\r\n", observer.Call("PUBSUB", "NUMSUB", "closing"));
        }
        Eventually.WaitUntil(() => observer.Call("PUBSUB", "NUMSUB", "closing") == "*2\r\n$7\r\nclosing\r\n:0\r\n"
                && observer.Call("PUBSUB", "NUMPAT") == ":0\r\n",
            "the closed connection's channel and pattern subscriptions are dropped");
        Assert.Equal(":0\r\n", observer.Call("PUBLISH", "closing", "x"));
    }

    [Fact]
    public void ManyPublishersMessagesArriveWholeAndInEachPublishersOrder()
    {
        const int perPublisher = 500;
        using var subscriber = RespSocket.Connect(Port);
        subscriber.Call("SUBSCRIBE", "stream");
        var publishers = Enumerable.Range(0, 4).Select(_ => RespSocket.Connect(Port)).ToArray();
        try
        {
            Parallel.For(0, publishers.Length, p =>
            {
                var pipeline = new System.Text.StringBuilder();
                for (var i = 0; i < perPublisher; i++)
                {
                    var body = $"{p}:{i}";
                    pipeline.Append($"*3\r\n$7\r\nPUBLISH\r\n$6\r\nstream\r\n${body.Length}\r\n{body}\r\n");
                }
                publishers[p].Send(pipeline.ToString());
                for (var i = 0; i < perPublisher; i++)
                {
                    Assert.Equal(":1\r\n", publishers[p].ReadReply());
                }
            });
            var next = new int[publishers.Length];
            for (var n = 0; n < publishers.Length * perPublisher; n++)
            {
                var frame = subscriber.ReadReply();
                var body = frame.Split("\r\n")[6];
                var parts = body.Split(':');
                var p = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal($"*3\r\n$7\r\nmessage\r\n$6\r\nstream\r\n${body.Length}\r\n{body}\r\n", frame);
                Assert.Equal(next[p]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            foreach (var p in publishers)
            {
                p.Dispose();
            }
        }
    }

    [Fact]
    public void ASubscriberThatStopsReadingNeverBlocksThePublisherAndIsDisconnectedPastTheLimit()
    {
        using var slow = RespSocket.Connect(Port);
        using var publisher = RespSocket.Connect(Port);
        using var observer = RespSocket.Connect(Port);
        slow.Call("SUBSCRIBE", "firehose");
        var body = new string('x', 256 * 1024);
        // 64 MiB for a reader that reads nothing: more than the 32 MiB a pub/sub client may have queued.
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 256; i++)
        {
            var reply = publisher.Call("PUBLISH", "firehose", body);
            Assert.True(reply is ":1\r\n" or ":0\r\n", reply);
        }
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"publishing took {stopwatch.Elapsed}");
        Eventually.WaitUntil(() => observer.Call("PUBSUB", "NUMSUB", "firehose") == "*2\r\n$8\r\nfirehose\r\n:0\r\n",
            "the subscriber past the output limit is disconnected");
        Assert.Equal("+PONG\r\n", publisher.Call("PING"));
    }

    private static string Sorted(string reply)
    {
        var lines = reply.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var elements = new List<string>();
        for (var i = 1; i + 1 < lines.Length; i += 2)
        {
            elements.Add(lines[i] + "\r\n" + lines[i + 1] + "\r\n");
        }
        elements.Sort(StringComparer.Ordinal);
        return lines[0] + "\r\n" + string.Concat(elements);
    }
}
