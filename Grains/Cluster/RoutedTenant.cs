using System.Collections.Concurrent;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster;

/// <summary>
/// A tenant as a gateway on this silo sees it: every call goes to the replica that leads the tenant's group, here or
/// on another silo (Orleans-style location transparency: the client never sees a redirect).
/// </summary>
internal sealed class RoutedTenant(ClusterNode node, string name) : ITenantGrain
{
    private readonly ConcurrentDictionary<ulong, RemoteTenantGrain> _remotes = new();
    private ulong _leaderHint;

    public string Name => name;

    /// <summary>The silo last seen leading the group, or 0.</summary>
    public ulong LeaderHint
    {
        get => Volatile.Read(ref _leaderHint);
        set => Volatile.Write(ref _leaderHint, value);
    }

    public RemoteTenantGrain Remote(ulong nodeId, INodeCalls client, ulong self, TimeSpan timeout) =>
        _remotes.GetOrAdd(nodeId, id => new RemoteTenantGrain(name, id, self, client, timeout));

    public ValueTask ExecuteAsync(CommandBatch batch) => node.RouteAsync(this, batch);

    public Task<bool> UnblockAsync(CommandBatch batch, UnblockReason reason) => node.RouteUnblockAsync(this, batch, reason);

    public ValueTask<TenantInfo> GetInfoAsync() => node.RouteInfoAsync(this);
}
