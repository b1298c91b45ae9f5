using System.Net;
using System.Net.Sockets;
using System.Text;
using IceFire.Grains.Cluster.Rpc;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Cluster;

/// <summary>Cluster calls over real loopback TCP: multiplexing, failures, cancellation and reconnection.</summary>
public sealed class ClusterRpcTests
{
    private static ValueTask<RpcResponse> Echo(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new RpcResponse(kind, payload.ToArray().Reverse().ToArray()));

    [Fact]
    public async Task Concurrent_calls_on_one_connection_get_their_own_answers()
    {
        await using var listener = new LoopbackRpcListener(async (kind, payload, ct) =>
        {
            // Answer out of order: later calls overtake earlier ones. The uneven handler times are the subject (the
            // multiplexing must match each answer to its call), not a wait before an assertion.
            await Task.Delay(payload.Span[0] % 7, ct);
            return new RpcResponse(kind, payload.ToArray());
        });
        await using var client = new ClusterRpcClient(1);
        client.SetPeer(2, listener.EndPoint);
        var calls = Enumerable.Range(1, 200).Select(async i =>
        {
            var payload = BitConverter.GetBytes(i);
            var response = await client.CallAsync(2, (byte)(1 + i % 200), payload, CancellationToken.None);
            return (i, response);
        }).ToList();
        foreach (var (i, response) in await Task.WhenAll(calls))
        {
            Assert.Equal((byte)(1 + i % 200), response.Status);
            Assert.Equal(i, BitConverter.ToInt32(response.Payload.Span));
        }
    }

    [Fact]
    public async Task A_throwing_handler_fails_the_call_but_not_the_connection()
    {
        await using var listener = new LoopbackRpcListener((kind, payload, ct) =>
            kind == 9 ? throw new InvalidOperationException("no such thing") : Echo(kind, payload, ct));
        await using var client = new ClusterRpcClient(1);
        client.SetPeer(2, listener.EndPoint);
        var error = await Assert.ThrowsAsync<ClusterRpcException>(() => client.CallAsync(2, 9, new byte[] { 1 }, CancellationToken.None));
        Assert.True(error.Sent);
        Assert.Contains("no such thing", error.Message, StringComparison.Ordinal);
        var ok = await client.CallAsync(2, 3, new byte[] { 1, 2 }, CancellationToken.None);
        Assert.Equal(new byte[] { 2, 1 }, ok.Payload.ToArray());
    }

    [Fact]
    public async Task An_unreachable_or_unknown_peer_fails_without_sending()
    {
        await using var client = new ClusterRpcClient(1);
        var unknown = await Assert.ThrowsAsync<ClusterRpcException>(() => client.CallAsync(7, 1, new byte[] { 1 }, CancellationToken.None));
        Assert.False(unknown.Sent);

        // A port nobody listens on: connection refused.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        client.SetPeer(3, new IPEndPoint(IPAddress.Loopback, closedPort));
        var refused = await Assert.ThrowsAsync<ClusterRpcException>(() => client.CallAsync(3, 1, new byte[] { 1 }, CancellationToken.None));
        Assert.False(refused.Sent);
    }

    [Fact]
    public async Task Cancelling_a_call_cancels_the_handler_on_the_peer()
    {
        var handlerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = new LoopbackRpcListener(async (kind, payload, ct) =>
        {
            handlerStarted.TrySetResult();
            try
            {
                // A handler that never answers: only the cancellation under test ends it.
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                handlerCancelled.TrySetResult();
                throw;
            }
            return new RpcResponse(0, payload.ToArray());
        });
        await using var client = new ClusterRpcClient(1);
        client.SetPeer(2, listener.EndPoint);
        using var cts = new CancellationTokenSource();
        var call = client.CallAsync(2, 1, new byte[] { 1 }, cts.Token);
        await handlerStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await handlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_broken_connection_fails_waiting_calls_and_the_next_call_reconnects()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = new LoopbackRpcListener(async (kind, payload, ct) =>
        {
            started.TrySetResult();
            // A handler that never answers: the call is still waiting when the connection breaks, as the test needs.
            await Task.Delay(Timeout.Infinite, ct);
            return default;
        });
        var port = listener.EndPoint.Port;
        await using var client = new ClusterRpcClient(1);
        client.SetPeer(2, listener.EndPoint);
        var waiting = client.CallAsync(2, 1, new byte[] { 1 }, CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await listener.DisposeAsync();
        var broken = await Assert.ThrowsAsync<ClusterRpcException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(broken.Sent);

        // The peer comes back on the same port: the next call opens a new connection.
        await using var again = new LoopbackRpcListener(Echo, port);
        var response = await client.CallAsync(2, 4, new byte[] { 5, 6 }, CancellationToken.None);
        Assert.Equal(new byte[] { 6, 5 }, response.Payload.ToArray());
    }

    [Fact]
    public void A_forwarded_batch_keeps_its_commands_watches_and_dialect()
    {
        var local = new RecordingReplyWriter();
        var batch = new CommandBatch(local) { ClientId = 42, IsTransaction = true };
        var set = CommandTable.Find("set"u8)!;
        var get = CommandTable.Find("get"u8)!;
        batch.Add(set, 3, [Encoding.UTF8.GetBytes("SET"), Encoding.UTF8.GetBytes("k"), new byte[] { 0, 13, 10, 255 }]);
        batch.Add(get, 0, [Encoding.UTF8.GetBytes("GET"), Encoding.UTF8.GetBytes("k")]);
        var watches = new WatchSet();
        watches.Keys.Add(new WatchedKey(3, [1, 2], 7, 5, true));
        batch.BeginExec(2, watches);

        var request = ForwardedBatchCodec.Decode(ForwardedBatchCodec.Encode("shop", 9, batch).ToArray());
        Assert.Equal("shop", request.Tenant);
        Assert.Equal(9ul, request.Origin);
        var copy = request.Batch;
        Assert.Equal(42, copy.ClientId);
        Assert.True(copy.IsTransaction);
        Assert.True(copy.HasWrites);
        Assert.Equal(2, copy.ExecCount);
        Assert.Equal(2, copy.Count);
        Assert.Equal(CommandId.Set, copy[0].Id);
        Assert.Equal(3, copy[0].Db);
        Assert.Equal(new byte[] { 0, 13, 10, 255 }, copy.Arg(copy[0], 2).ToArray());
        Assert.Equal("k", Encoding.UTF8.GetString(copy.Arg(copy[1], 1)));
        Assert.Equal(RespProtocol.Resp2, copy.Replies.Protocol);
        Assert.Equal(new WatchedKey(3, [1, 2], 7, 5, true).Key, copy.Watches!.Keys[0].Key);
        Assert.Equal(7, copy.Watches.Keys[0].Version);

        // The leader's replies and its changes to the watches come back to the connection's batch.
        copy.Replies.WriteSimpleString("OK"u8);
        copy.Replies.WriteNull();
        copy.Watches.Keys.Clear();
        copy.Watches.Failed = true;
        ForwardedBatchCodec.ApplyResult(ForwardedBatchCodec.EncodeResult(copy, request.Replies).Span, batch);
        Assert.Equal("+OK\r\n$-1\r\n", local.Text);
        Assert.Empty(watches.Keys);
        Assert.True(watches.Failed);
    }

    [Fact]
    public void A_truncated_forwarded_batch_is_refused()
    {
        var batch = new CommandBatch(new RecordingReplyWriter());
        batch.Add(CommandTable.Find("get"u8)!, 0, [Encoding.UTF8.GetBytes("GET"), Encoding.UTF8.GetBytes("key")]);
        var encoded = ForwardedBatchCodec.Encode("default", 1, batch).ToArray();
        for (var cut = 0; cut < encoded.Length; cut++)
        {
            Assert.Throws<FormatException>(() => ForwardedBatchCodec.Decode(encoded.AsMemory(0, cut)));
        }
    }
}
