using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>
/// Serves the forwarded tenant calls (<see cref="ITenantCalls"/>) against this silo's replicas, turning the replica's
/// refusals into a <see cref="TenantRefusal"/> so the calling silo can retry elsewhere or report them.
/// </summary>
public sealed class TenantCallHandler(Func<string, ITenantGrain?> resolve) : ITenantCalls
{
    /// <summary>Batches running here for other silos' connections, by (silo, client id): what CLIENT UNBLOCK finds.</summary>
    private readonly ConcurrentDictionary<(ulong Origin, long ClientId), CommandBatch> _running = new();

    public async Task<ForwardedReply> ExecuteAsync(ForwardedBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var replies = new ReplyBuffer();
        try
        {
            var tenant = Resolve(batch.Tenant);
            var running = batch.ToBatch(replies);
            running.Cancellation = cancellationToken;
            var key = (batch.Origin, running.ClientId);
            _running[key] = running;
            try
            {
                await tenant.ExecuteAsync(running).ConfigureAwait(false);
            }
            finally
            {
                _running.TryRemove(new KeyValuePair<(ulong, long), CommandBatch>(key, running));
            }
            // Copied: the reply is serialized after this returns, when the buffer is back in its pool.
            return new ForwardedReply(null, replies.WrittenMemory.ToArray(), ForwardedWatches.From(running.Watches));
        }
        catch (Exception e) when (TenantRefusal.Of(e) is { } refusal)
        {
            return ForwardedReply.Refused(refusal);
        }
    }

    public async Task<UnblockReply> UnblockAsync(string tenant, ulong origin, long clientId, byte reason, CancellationToken cancellationToken)
    {
        try
        {
            var replica = Resolve(tenant);
            var woken = _running.TryGetValue((origin, clientId), out var batch)
                && await replica.UnblockAsync(batch, (UnblockReason)reason).ConfigureAwait(false);
            return new UnblockReply(null, woken);
        }
        catch (Exception e) when (TenantRefusal.Of(e) is { } refusal)
        {
            return new UnblockReply(refusal, false);
        }
    }

    public async Task<TenantInfoReply> GetInfoAsync(string tenant, CancellationToken cancellationToken)
    {
        try
        {
            return TenantInfoReply.From(await Resolve(tenant).GetInfoAsync().ConfigureAwait(false));
        }
        catch (Exception e) when (TenantRefusal.Of(e) is { } refusal)
        {
            return TenantInfoReply.Refused(refusal);
        }
    }

    private ITenantGrain Resolve(string tenant) =>
        resolve(tenant) ?? throw new TenantNotFoundException($"this silo holds no replica of tenant {tenant}");
}
