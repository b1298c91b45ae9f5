using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;
using IceFire.Raft.Hosting;
using IceFire.Raft;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>
/// A tenant's replica on another silo, reached through cluster calls. Its failures look like the local replica's: a
/// replica that does not lead throws <see cref="RaftProposalException"/>, a write whose fate is unknown
/// <see cref="RaftOutcomeUnknownException"/>, a silo without the tenant <see cref="TenantNotFoundException"/>, and a
/// transport failure <see cref="NodeCallException"/>.
/// </summary>
public sealed class RemoteTenantGrain(string name, ulong nodeId, ulong self, INodeCalls client, TimeSpan timeout) : ITenantGrain
{
    public string Name => name;

    /// <summary>The silo holding the replica.</summary>
    public ulong NodeId => nodeId;

    public ValueTask ExecuteAsync(CommandBatch batch) => ExecuteAsync(batch, CancellationToken.None);

    /// <summary>
    /// Runs the batch on the remote replica; <paramref name="abandon"/> gives up waiting (the caller learned that the
    /// silo no longer leads), after which no reply is written to the batch. A write may still apply there.
    /// </summary>
    public async ValueTask ExecuteAsync(CommandBatch batch, CancellationToken abandon)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var request = ForwardedBatchCodec.Encode(name, self, batch);
        // A blocking command may wait as long as its own timeout says; it ends when the client leaves.
        var blocking = batch.Count > 0 && !batch.IsTransaction
            && (CommandTable.Get(batch[batch.Count - 1].Id).Flags & CommandFlags.Blocking) != 0;
        // The connection counts as blocked (INFO, CLIENT LIST) while its command waits on the leader's silo.
        batch.IsBlocked = blocking;
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(batch.Cancellation, abandon);
            var response = await CallAsync(ForwardKinds.Execute, request, blocking ? Timeout.InfiniteTimeSpan : timeout, either.Token).ConfigureAwait(false);
            ForwardedBatchCodec.ApplyResult(response.Span, batch);
        }
        finally
        {
            batch.IsBlocked = false;
        }
    }

    public async Task<bool> UnblockAsync(CommandBatch batch, UnblockReason reason)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var response = await CallAsync(ForwardKinds.Unblock, ForwardedBatchCodec.EncodeUnblock(name, self, batch.ClientId, reason), timeout, default)
            .ConfigureAwait(false);
        return response.Length == 1 && response.Span[0] == 1;
    }

    public async ValueTask<TenantInfo> GetInfoAsync()
    {
        var response = await CallAsync(ForwardKinds.Info, System.Text.Encoding.UTF8.GetBytes(name), timeout, default).ConfigureAwait(false);
        return ForwardedBatchCodec.DecodeInfo(response.Span);
    }

    private async Task<ReadOnlyMemory<byte>> CallAsync(byte kind, ReadOnlyMemory<byte> payload, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(limit);
        }
        NodeCallResult response;
        try
        {
            response = await client.CallAsync(nodeId, kind, payload, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NodeCallException(true, $"node {nodeId} did not answer within {(long)limit.TotalMilliseconds} ms");
        }
        var r = new WireReader(response.Payload.Span);
        switch ((ForwardStatus)response.Status)
        {
            case ForwardStatus.Ok:
                return response.Payload;
            case ForwardStatus.NotLeader:
                var hint = r.UInt64();
                var status = (ProposeStatus)r.Byte();
                throw new RaftProposalException(status, hint, r.String());
            case ForwardStatus.TenantNotFound:
                throw new TenantNotFoundException(r.String());
            case ForwardStatus.OutcomeUnknown:
                throw new RaftOutcomeUnknownException(r.String());
            case ForwardStatus.Unavailable:
                throw new TenantUnavailableException(r.String());
            default:
                throw new InvalidOperationException($"node {nodeId} failed tenant {name}'s call: {r.String()}");
        }
    }
}
