using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;
using IceFire.Raft.Hosting;

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
        var request = ForwardedBatch.From(name, self, batch);
        // A blocking command may wait as long as its own timeout says; it ends when the client leaves.
        var blocking = batch.Count > 0 && !batch.IsTransaction
            && (CommandTable.Get(batch[batch.Count - 1].Id).Flags & CommandFlags.Blocking) != 0;
        // The connection counts as blocked (INFO, CLIENT LIST) while its command waits on the leader's silo.
        batch.IsBlocked = blocking;
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(batch.Cancellation, abandon);
            var reply = await CallAsync((target, ct) => target.ExecuteAsync(request, ct), blocking ? Timeout.InfiniteTimeSpan : timeout, either.Token)
                .ConfigureAwait(false);
            if (reply.Refusal is { } refusal)
            {
                refusal.Throw(nodeId, name);
            }
            reply.ApplyTo(batch);
        }
        finally
        {
            batch.IsBlocked = false;
        }
    }

    public async Task<bool> UnblockAsync(CommandBatch batch, UnblockReason reason)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var clientId = batch.ClientId;
        var reply = await CallAsync((target, ct) => target.UnblockAsync(name, self, clientId, (byte)reason, ct), timeout, default).ConfigureAwait(false);
        if (reply.Refusal is { } refusal)
        {
            refusal.Throw(nodeId, name);
        }
        return reply.Woken;
    }

    public async ValueTask<TenantInfo> GetInfoAsync()
    {
        var reply = await CallAsync((target, ct) => target.GetInfoAsync(name, ct), timeout, default).ConfigureAwait(false);
        if (reply.Refusal is { } refusal)
        {
            refusal.Throw(nodeId, name);
        }
        return reply.ToInfo();
    }

    private async Task<TResult> CallAsync<TResult>(Func<ITenantCalls, CancellationToken, Task<TResult>> call, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(limit);
        }
        try
        {
            return await client.CallAsync(nodeId, call, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NodeCallException(true, $"node {nodeId} did not answer within {(long)limit.TotalMilliseconds} ms");
        }
    }
}
