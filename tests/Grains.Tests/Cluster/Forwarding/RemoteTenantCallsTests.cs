using IceFire.Grains.Tests.Support;
using System.Text;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Forwarding;

/// <summary>
/// A <see cref="RemoteTenantGrain"/> calling another silo's <see cref="TenantCallHandler"/> with every argument and
/// result through Orleans' serializer: the caller sees what the leader's replica did, and its refusals as the
/// exceptions a local replica throws.
/// </summary>
public sealed class RemoteTenantCallsTests
{
    private const ulong Caller = 1;
    private const ulong Leader = 2;

    private static RemoteTenantGrain Remote(ITenantGrain? replica, string tenant = "acme") =>
        new(tenant, Leader, Caller, new SerializingCalls(new TenantCallHandler(name => name == tenant ? replica : null)), TimeSpan.FromSeconds(5));

    private static CommandBatch Batch(RespProtocol protocol, ReplyBuffer replies, params string[] args)
    {
        var batch = new CommandBatch(new RespReplyWriter(replies) { Protocol = protocol }) { ClientId = 77 };
        batch.Add(CommandTable.Find(Encoding.ASCII.GetBytes(args[0]))!, 0, Array.ConvertAll(args, a => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes(a)));
        return batch;
    }

    [Theory]
    [InlineData(RespProtocol.Resp2, "$-1\r\n")]
    [InlineData(RespProtocol.Resp3, "_\r\n")]
    public async Task TheLeadersRepliesReachTheCallerInItsDialect(RespProtocol protocol, string expected)
    {
        var replica = new FakeReplica(batch =>
        {
            Assert.Equal(77, batch.ClientId);
            Assert.Equal("k", Encoding.ASCII.GetString(batch.Arg(batch[0], 1)));
            batch.Replies.WriteNull();
            return ValueTask.CompletedTask;
        });
        using var replies = new ReplyBuffer();
        await Remote(replica).ExecuteAsync(Batch(protocol, replies, "GET", "k"));
        Assert.Equal(expected, Encoding.ASCII.GetString(replies.WrittenMemory.Span));
    }

    [Fact]
    public async Task ANotLeadingReplicaIsARaftProposalExceptionWithItsHint()
    {
        var replica = new FakeReplica(_ => throw new RaftProposalException(ProposeStatus.NotLeader, 3, "node 2 does not lead"));
        using var replies = new ReplyBuffer();
        var e = await Assert.ThrowsAsync<RaftProposalException>(async () => await Remote(replica).ExecuteAsync(Batch(RespProtocol.Resp2, replies, "SET", "k", "v")));
        Assert.Equal(ProposeStatus.NotLeader, e.Status);
        Assert.Equal(3ul, e.LeaderHint);
        Assert.Equal("node 2 does not lead", e.Message);
        Assert.Equal(0, replies.Length);
    }

    [Fact]
    public async Task EveryOtherRefusalIsTheLocalReplicasException()
    {
        using var replies = new ReplyBuffer();
        var unknown = new FakeReplica(_ => throw new RaftOutcomeUnknownException("leadership lost"));
        Assert.Equal("leadership lost", (await Assert.ThrowsAsync<RaftOutcomeUnknownException>(
            async () => await Remote(unknown).ExecuteAsync(Batch(RespProtocol.Resp2, replies, "SET", "k", "v")))).Message);
        var unavailable = new FakeReplica(_ => throw new TenantUnavailableException("TRYAGAIN busy"));
        Assert.Equal("TRYAGAIN busy", (await Assert.ThrowsAsync<TenantUnavailableException>(
            async () => await Remote(unavailable).ExecuteAsync(Batch(RespProtocol.Resp2, replies, "SET", "k", "v")))).Reply);
        await Assert.ThrowsAsync<TenantNotFoundException>(async () => await Remote(null).ExecuteAsync(Batch(RespProtocol.Resp2, replies, "GET", "k")));
        await Assert.ThrowsAsync<TenantNotFoundException>(async () => await Remote(null).GetInfoAsync());
        await Assert.ThrowsAsync<TenantNotFoundException>(() => Remote(null).UnblockAsync(Batch(RespProtocol.Resp2, replies, "GET", "k"), UnblockReason.Error));
    }

    [Fact]
    public async Task AStorageFailureOnTheLeaderIsAFailedCall()
    {
        var replica = new FakeReplica(_ => throw new IOException("disk gone"));
        using var replies = new ReplyBuffer();
        var e = await Assert.ThrowsAsync<NodeCallException>(async () => await Remote(replica).ExecuteAsync(Batch(RespProtocol.Resp2, replies, "SET", "k", "v")));
        Assert.True(e.Sent);
    }

    [Fact]
    public async Task InfoCarriesTheReplicasStatistics()
    {
        var info = new TenantInfo([(0, 3, 1)], 8192, 1_700_000_000, 4, 5, 6, 1);
        var arrived = await Remote(new FakeReplica(_ => ValueTask.CompletedTask) { Info = info }).GetInfoAsync();
        Assert.Equal(info.Keyspace, arrived.Keyspace);
        Assert.Equal(info.ChecksumFailures, arrived.ChecksumFailures);
        Assert.Equal(info.UsedBytes, arrived.UsedBytes);
    }

    [Fact]
    public async Task UnblockFindsTheCallersBlockedBatchOnTheLeader()
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var woken = new TaskCompletionSource<UnblockReason>(TaskCreationOptions.RunContinuationsAsynchronously);
        var replica = new FakeReplica(async batch =>
        {
            waiting.SetResult();
            var reason = await woken.Task;
            batch.Replies.WriteError(reason == UnblockReason.Error ? "UNBLOCKED client unblocked via CLIENT UNBLOCK"u8 : "timeout"u8);
        });
        replica.Unblock = (_, reason) =>
        {
            woken.SetResult(reason);
            return true;
        };
        var remote = Remote(replica);
        using var replies = new ReplyBuffer();
        var batch = Batch(RespProtocol.Resp2, replies, "BLPOP", "q", "0");
        var call = remote.ExecuteAsync(batch).AsTask();
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(batch.IsBlocked, "a forwarded blocking command counts as blocked on the caller's silo");

        Assert.True(await remote.UnblockAsync(batch, UnblockReason.Error));
        await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", Encoding.ASCII.GetString(replies.WrittenMemory.Span));
        Assert.False(batch.IsBlocked);
        // Once it has answered, nothing runs for that client on the leader.
        Assert.False(await remote.UnblockAsync(batch, UnblockReason.Error));
    }

    /// <summary>Calls to the leader's handler with each argument and result through Orleans' serializer.</summary>
    private sealed class SerializingCalls(ITenantCalls leader) : INodeCalls
    {
        public Task<TResult> CallAsync<TTarget, TResult>(ulong nodeId, Func<TTarget, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
            where TTarget : class, INodeCallTarget
        {
            Assert.Equal(Leader, nodeId);
            var target = new Wire(leader) as TTarget ?? throw new InvalidOperationException($"no {typeof(TTarget).Name} here");
            return Run(call, target, cancellationToken);
        }

        private static async Task<TResult> Run<TTarget, TResult>(Func<TTarget, CancellationToken, Task<TResult>> call, TTarget target, CancellationToken cancellationToken)
        {
            try
            {
                return await Task.Run(() => call(target, cancellationToken), cancellationToken);
            }
            catch (Exception e) when (e is not (OperationCanceledException or NodeCallException))
            {
                // As OrleansNodeCalls reports a handler's exception.
                throw new NodeCallException(true, e.Message, e);
            }
        }
    }

    private sealed class Wire(ITenantCalls leader) : ITenantCalls
    {
        public async Task<ForwardedReply> ExecuteAsync(ForwardedBatch batch, CancellationToken cancellationToken) =>
            CallSerialization.RoundTrip(await leader.ExecuteAsync(CallSerialization.RoundTrip(batch), cancellationToken));

        public async Task<UnblockReply> UnblockAsync(string tenant, ulong origin, long clientId, byte reason, CancellationToken cancellationToken) =>
            CallSerialization.RoundTrip(await leader.UnblockAsync(tenant, origin, clientId, reason, cancellationToken));

        public async Task<TenantInfoReply> GetInfoAsync(string tenant, CancellationToken cancellationToken) =>
            CallSerialization.RoundTrip(await leader.GetInfoAsync(tenant, cancellationToken));
    }

    private sealed class FakeReplica(Func<CommandBatch, ValueTask> execute) : ITenantGrain
    {
        public string Name => "acme";

        public TenantInfo Info { get; init; } = new([], 0, 0, 0, 0, 0);

        public Func<CommandBatch, UnblockReason, bool> Unblock { get; set; } = (_, _) => false;

        public ValueTask ExecuteAsync(CommandBatch batch) => execute(batch);

        public Task<bool> UnblockAsync(CommandBatch batch, UnblockReason reason) => Task.FromResult(Unblock(batch, reason));

        public ValueTask<TenantInfo> GetInfoAsync() => ValueTask.FromResult(Info);
    }
}
