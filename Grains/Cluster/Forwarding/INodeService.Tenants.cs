using IceFire.Grains.Cluster.Forwarding;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>Forwarded tenant calls reach a silo's node service.</summary>
public partial interface INodeService : ITenantCalls;

/// <summary>Forwarded tenant calls go to the node's <see cref="TenantCallHandler"/>.</summary>
public sealed partial class NodeService
{
    public Task<ForwardedReply> ExecuteAsync(ForwardedBatch batch, CancellationToken cancellationToken) =>
        Serve(() => node.TenantCalls.ExecuteAsync(batch, cancellationToken), cancellationToken);

    public Task<UnblockReply> UnblockAsync(string tenant, ulong origin, long clientId, byte reason, CancellationToken cancellationToken) =>
        Serve(() => node.TenantCalls.UnblockAsync(tenant, origin, clientId, reason, cancellationToken), cancellationToken);

    public Task<TenantInfoReply> GetInfoAsync(string tenant, CancellationToken cancellationToken) =>
        Serve(() => node.TenantCalls.GetInfoAsync(tenant, cancellationToken), cancellationToken);
}
