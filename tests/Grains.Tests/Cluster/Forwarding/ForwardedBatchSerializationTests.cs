using IceFire.Grains.Tests.Support;
using System.Text;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Interfaces;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Forwarding;

/// <summary>A forwarded batch and its answer survive Orleans' serializer with everything the leader and the caller need.</summary>
public sealed class ForwardedBatchSerializationTests
{
    private static ReadOnlyMemory<byte>[] Args(params byte[][] args) => Array.ConvertAll(args, a => (ReadOnlyMemory<byte>)a);

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] AllBytes()
    {
        var bytes = new byte[256];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }
        return bytes;
    }

    private static CommandBatch Batch(RespProtocol protocol, ReplyBuffer? replies = null) =>
        new(new RespReplyWriter(replies ?? new ReplyBuffer()) { Protocol = protocol });

    [Theory]
    [InlineData(RespProtocol.Resp2)]
    [InlineData(RespProtocol.Resp3)]
    public void APipelineArrivesWithItsCommandsDatabasesAndArgumentsByteForByte(RespProtocol protocol)
    {
        var batch = Batch(protocol);
        batch.ClientId = 4242;
        batch.Add(CommandTable.Find("SET"u8)!, 3, Args(Ascii("SET"), AllBytes(), []));
        batch.Add(CommandTable.Find("GET"u8)!, 0, Args(Ascii("GET"), "k\r\n\0"u8.ToArray()));
        batch.Add(CommandTable.Find("MSET"u8)!, 15, Args(Ascii("MSET"), [], [], Ascii("k2"), AllBytes()));

        var request = CallSerialization.RoundTrip(ForwardedBatch.From("acme", 7, batch));
        Assert.Equal("acme", request.Tenant);
        Assert.Equal(7ul, request.Origin);
        using var replies = new ReplyBuffer();
        var arrived = request.ToBatch(replies);

        Assert.Equal(4242, arrived.ClientId);
        Assert.Equal(protocol, arrived.Replies.Protocol);
        Assert.False(arrived.IsTransaction);
        Assert.Equal(-1, arrived.ExecCount);
        Assert.Null(arrived.Watches);
        Assert.Equal(batch.Count, arrived.Count);
        Assert.True(arrived.HasWrites);
        for (var i = 0; i < batch.Count; i++)
        {
            Assert.Equal(batch[i].Id, arrived[i].Id);
            Assert.Equal(batch[i].Db, arrived[i].Db);
            var sent = batch.Args(batch[i]);
            var received = arrived.Args(arrived[i]);
            Assert.Equal(sent.Length, received.Length);
            for (var a = 0; a < sent.Length; a++)
            {
                Assert.Equal(sent[a].ToArray(), received[a].ToArray());
            }
        }
    }

    [Fact]
    public void ATransactionUnderWatchArrivesWithItsExecCountAndWatches()
    {
        var watches = new WatchSet { Failed = true };
        watches.Keys.Add(new WatchedKey(0, Ascii("a"), 5, 4, false));
        watches.Keys.Add(new WatchedKey(9, AllBytes(), long.MaxValue, -1, true));
        watches.Keys.Add(new WatchedKey(1, [], 0, 0, false));
        var batch = Batch(RespProtocol.Resp3);
        batch.IsTransaction = true;
        batch.Add(CommandTable.Find("INCR"u8)!, 0, Args(Ascii("INCR"), Ascii("a")));
        batch.Add(CommandTable.Find("GET"u8)!, 0, Args(Ascii("GET"), Ascii("a")));
        batch.BeginExec(2, watches);

        using var replies = new ReplyBuffer();
        var arrived = CallSerialization.RoundTrip(ForwardedBatch.From("default", 1, batch)).ToBatch(replies);

        Assert.True(arrived.IsTransaction);
        Assert.Equal(2, arrived.ExecCount);
        Assert.NotNull(arrived.Watches);
        // BeginExec clears the flag on both sides: an EXEC starts unfailed.
        Assert.False(arrived.Watches.Failed);
        Assert.Equal(watches.Keys.Count, arrived.Watches.Keys.Count);
        for (var i = 0; i < watches.Keys.Count; i++)
        {
            var sent = watches.Keys[i];
            var received = arrived.Watches.Keys[i];
            Assert.Equal(sent.Db, received.Db);
            Assert.Equal(sent.Key, received.Key);
            Assert.Equal(sent.Version, received.Version);
            Assert.Equal(sent.ExpiredVersion, received.ExpiredVersion);
            Assert.Equal(sent.ExpiredAtWatch, received.ExpiredAtWatch);
        }
    }

    [Fact]
    public void WatchWithoutExecArrivesWithTheConnectionsWatchSet()
    {
        var watches = new WatchSet();
        watches.Keys.Add(new WatchedKey(2, Ascii("w"), 1, 1, false));
        var batch = Batch(RespProtocol.Resp2);
        batch.Add(CommandTable.Find("WATCH"u8)!, 2, Args(Ascii("WATCH"), Ascii("x")));
        batch.Watches = watches;

        using var replies = new ReplyBuffer();
        var arrived = CallSerialization.RoundTrip(ForwardedBatch.From("t", 1, batch)).ToBatch(replies);

        Assert.Equal(-1, arrived.ExecCount);
        Assert.Single(arrived.Watches!.Keys);
        Assert.Equal(Ascii("w"), arrived.Watches.Keys[0].Key);
    }

    [Fact]
    public void TheRequestOwnsItsArgumentsSoTheConnectionMayReuseItsBuffer()
    {
        // Orleans serializes a call when its connection sends it, possibly after a caller that gave up has handed the
        // connection's buffer back for the next command.
        var buffer = Ascii("SETkeyvalue");
        var batch = Batch(RespProtocol.Resp2);
        batch.Add(CommandTable.Find("SET"u8)!, 0, [buffer.AsMemory(0, 3), buffer.AsMemory(3, 3), buffer.AsMemory(6, 5)]);
        var request = ForwardedBatch.From("t", 1, batch);
        buffer.AsSpan().Fill((byte)'X');

        using var replies = new ReplyBuffer();
        var arrived = CallSerialization.RoundTrip(request).ToBatch(replies);
        Assert.Equal("value", Encoding.ASCII.GetString(arrived.Arg(arrived[0], 2)));
    }

    [Theory]
    [InlineData(RespProtocol.Resp2)]
    [InlineData(RespProtocol.Resp3)]
    public void TheLeadersRepliesAndWatchesReachTheCallersBatch(RespProtocol protocol)
    {
        // The leader writes its replies in the caller's dialect and leaves the watches as EXEC found them.
        using var leaderReplies = new ReplyBuffer();
        var leaderWriter = new RespReplyWriter(leaderReplies) { Protocol = protocol };
        leaderWriter.WriteMapHeader(1);
        leaderWriter.WriteBulk(AllBytes());
        leaderWriter.WriteNull();
        leaderWriter.WriteDouble(1.5);
        var left = new WatchSet { Failed = true };
        left.Keys.Add(new WatchedKey(3, Ascii("k"), 8, 7, true));
        var reply = CallSerialization.RoundTrip(new ForwardedReply(null, leaderReplies.WrittenMemory.ToArray(), ForwardedWatches.From(left)));

        using var callerReplies = new ReplyBuffer();
        var caller = Batch(protocol, callerReplies);
        var watches = new WatchSet();
        watches.Keys.Add(new WatchedKey(0, Ascii("old"), 1, 1, false));
        caller.Watches = watches;
        reply.ApplyTo(caller);

        Assert.Null(reply.Refusal);
        Assert.Equal(leaderReplies.WrittenMemory.ToArray(), callerReplies.WrittenMemory.ToArray());
        Assert.Same(watches, caller.Watches);
        Assert.True(watches.Failed);
        var key = Assert.Single(watches.Keys);
        Assert.Equal(new WatchedKey(3, key.Key, 8, 7, true), key);
        Assert.Equal(Ascii("k"), key.Key);
    }

    [Fact]
    public void AnEmptyBatchAndAnEmptyReplyRoundTrip()
    {
        using var replies = new ReplyBuffer();
        var arrived = CallSerialization.RoundTrip(ForwardedBatch.From("t", 1, Batch(RespProtocol.Resp2))).ToBatch(replies);
        Assert.Equal(0, arrived.Count);

        using var callerReplies = new ReplyBuffer();
        CallSerialization.RoundTrip(new ForwardedReply(null, [], null)).ApplyTo(Batch(RespProtocol.Resp2, callerReplies));
        Assert.Equal(0, callerReplies.Length);
    }

    [Fact]
    public void InfoRoundTripsEveryFigure()
    {
        var info = new TenantInfo([(0, 10, 2), (15, 1, 0)], 4096, 1_700_000_000, 12, 34, 5, 6);
        var arrived = CallSerialization.RoundTrip(TenantInfoReply.From(info)).ToInfo();
        Assert.Equal(info.Keyspace, arrived.Keyspace);
        Assert.Equal(info with { Keyspace = arrived.Keyspace }, arrived);
    }

    [Fact]
    public void MalformedRequestsAreFormatErrorsNotCrashes()
    {
        using var replies = new ReplyBuffer();
        var good = ForwardedBatch.From("t", 1, BatchOf("GET", "k"));
        Assert.Throws<FormatException>(() => (good with { Protocol = 9 }).ToBatch(replies));
        Assert.Throws<FormatException>(() => (good with { Commands = [new ForwardedCommand(int.MaxValue, 0, 2)] }).ToBatch(replies));
        Assert.Throws<FormatException>(() => (good with { Commands = [new ForwardedCommand(-1, 0, 2)] }).ToBatch(replies));
        Assert.Throws<FormatException>(() => (good with { Commands = [new ForwardedCommand((int)CommandId.Get, 0, 0)] }).ToBatch(replies));
        Assert.Throws<FormatException>(() => (good with { Commands = [new ForwardedCommand((int)CommandId.Get, 0, 3)] }).ToBatch(replies));
        Assert.Throws<FormatException>(() => (good with { ArgLengths = [3, 2] }).ToBatch(replies));
        Assert.Throws<FormatException>(() => (good with { ArgLengths = [-1, 5] }).ToBatch(replies));
        Assert.Throws<FormatException>(() => (good with { ExecCount = 1 }).ToBatch(replies));
    }

    private static CommandBatch BatchOf(params string[] args)
    {
        var batch = Batch(RespProtocol.Resp2);
        batch.Add(CommandTable.Find(Encoding.ASCII.GetBytes(args[0]))!, 0, Array.ConvertAll(args, a => (ReadOnlyMemory<byte>)Ascii(a)));
        return batch;
    }

    [Fact]
    public void RefusalStatusNumbersNeverChange()
    {
        // They cross between silos of two versions during a rolling upgrade.
        Assert.Equal(1, (int)TenantCallStatus.NotLeader);
        Assert.Equal(2, (int)TenantCallStatus.TenantNotFound);
        Assert.Equal(3, (int)TenantCallStatus.OutcomeUnknown);
        Assert.Equal(4, (int)TenantCallStatus.Unavailable);
        Assert.Equal(5, (int)TenantCallStatus.Failed);
    }
}
