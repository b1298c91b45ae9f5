using System.Collections.Concurrent;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>
/// Serves the forwarded tenant calls (<see cref="ForwardKinds"/>) against this silo's replicas, mapping the replica's
/// refusals to <see cref="ForwardStatus"/> so the calling silo can retry elsewhere or report them.
/// </summary>
public sealed class TenantCallHandler(Func<string, ITenantGrain?> resolve)
{
    /// <summary>Batches running here for other silos' connections, by (silo, client id): what CLIENT UNBLOCK finds.</summary>
    private readonly ConcurrentDictionary<(ulong Origin, long ClientId), CommandBatch> _running = new();

    public async ValueTask<NodeCallResult> HandleAsync(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            return kind switch
            {
                ForwardKinds.Execute => await ExecuteAsync(payload, cancellationToken).ConfigureAwait(false),
                ForwardKinds.Unblock => await UnblockAsync(payload).ConfigureAwait(false),
                ForwardKinds.Info => await InfoAsync(payload).ConfigureAwait(false),
                _ => ForwardedBatchCodec.Failure(ForwardStatus.Failed, $"unknown cluster call kind {kind}"),
            };
        }
        catch (RaftProposalException e)
        {
            return ForwardedBatchCodec.Failure(ForwardStatus.NotLeader, e.Message, e.LeaderHint, (byte)e.Status);
        }
        catch (TenantNotFoundException e)
        {
            return ForwardedBatchCodec.Failure(ForwardStatus.TenantNotFound, e.Message);
        }
        catch (RaftOutcomeUnknownException e)
        {
            return ForwardedBatchCodec.Failure(ForwardStatus.OutcomeUnknown, e.Message);
        }
        catch (TenantUnavailableException e)
        {
            return ForwardedBatchCodec.Failure(ForwardStatus.Unavailable, e.Reply);
        }
        catch (FormatException e)
        {
            return ForwardedBatchCodec.Failure(ForwardStatus.Failed, "malformed forwarded call: " + e.Message);
        }
    }

    private ITenantGrain Resolve(string tenant) =>
        resolve(tenant) ?? throw new TenantNotFoundException($"this silo holds no replica of tenant {tenant}");

    private async ValueTask<NodeCallResult> ExecuteAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var request = ForwardedBatchCodec.Decode(payload);
        var tenant = Resolve(request.Tenant);
        var batch = request.Batch;
        batch.Cancellation = cancellationToken;
        var key = (request.Origin, batch.ClientId);
        _running[key] = batch;
        try
        {
            await tenant.ExecuteAsync(batch).ConfigureAwait(false);
            return new NodeCallResult((byte)ForwardStatus.Ok, ForwardedBatchCodec.EncodeResult(batch, request.Replies));
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<(ulong, long), CommandBatch>(key, batch));
            request.Replies.Dispose();
        }
    }

    private async ValueTask<NodeCallResult> UnblockAsync(ReadOnlyMemory<byte> payload)
    {
        var (name, origin, clientId, reason) = ForwardedBatchCodec.DecodeUnblock(payload.Span);
        var tenant = Resolve(name);
        var woken = _running.TryGetValue((origin, clientId), out var batch) && await tenant.UnblockAsync(batch, reason).ConfigureAwait(false);
        return new NodeCallResult((byte)ForwardStatus.Ok, new[] { woken ? (byte)1 : (byte)0 });
    }

    private async ValueTask<NodeCallResult> InfoAsync(ReadOnlyMemory<byte> payload)
    {
        var name = System.Text.Encoding.UTF8.GetString(payload.Span);
        var info = await Resolve(name).GetInfoAsync().ConfigureAwait(false);
        return new NodeCallResult((byte)ForwardStatus.Ok, ForwardedBatchCodec.EncodeInfo(info));
    }
}
