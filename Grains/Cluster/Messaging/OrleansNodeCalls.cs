using Orleans.Runtime;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// <see cref="INodeCalls"/> as calls to the <see cref="INodeService"/> of the node's active silo. Calls fail as unsent until
/// <see cref="Start"/>, which the host calls once its Orleans silo has joined the cluster.
/// </summary>
public sealed class OrleansNodeCalls : INodeCalls
{
    private NodeServiceClient? _services;
    private IClusterMembershipService? _membership;

    /// <summary>The active silo of each node, as of one membership version (rebuilt when the version moves).</summary>
    private ActiveSilos _active = new(MembershipVersion.MinValue, new Dictionary<ulong, SiloAddress>());

    /// <summary>Starts carrying calls through <paramref name="services"/>, to the nodes <paramref name="membership"/> holds active.</summary>
    public void Start(NodeServiceClient services, IClusterMembershipService membership)
    {
        Volatile.Write(ref _membership, membership);
        Volatile.Write(ref _services, services);
    }

    /// <summary>Stops carrying calls (the silo is stopping): later ones fail as unsent.</summary>
    public void Stop() => Volatile.Write(ref _services, null);

    public async Task<TResult> CallAsync<TTarget, TResult>(ulong nodeId, Func<TTarget, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TTarget : class, INodeCallTarget
    {
        ArgumentNullException.ThrowIfNull(call);
        var services = Volatile.Read(ref _services)
            ?? throw new NodeCallException(false, $"node {nodeId} cannot be called: this silo's messaging is not running");
        // Known before sending: no silo of that node is in the cluster now (it stopped, or was declared dead).
        var silo = ActiveSilo(nodeId) ?? throw new NodeCallException(false, $"node {nodeId} has no active silo in the cluster");
        if (services.On(silo) is not TTarget target)
        {
            throw new InvalidOperationException($"{typeof(TTarget).Name} is not part of {nameof(INodeService)}");
        }
        try
        {
            return await call(target, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not NodeCallException)
        {
            // Orleans' faults (unreachable, timed out, stopping) and a handler's exception alike: the request may have run.
            throw new NodeCallException(true, $"the call to node {nodeId} failed: {e.Message}", e);
        }
    }

    /// <summary>The active silo of <paramref name="nodeId"/> (the newest, should two generations overlap), or null.</summary>
    private SiloAddress? ActiveSilo(ulong nodeId)
    {
        var snapshot = Volatile.Read(ref _membership)!.CurrentSnapshot;
        var active = Volatile.Read(ref _active);
        if (active.Version != snapshot.Version)
        {
            var silos = new Dictionary<ulong, SiloAddress>();
            foreach (var member in snapshot.Members.Values)
            {
                var node = NodeNames.NodeId(member.Name);
                if (member.Status == SiloStatus.Active && node != 0
                    && (!silos.TryGetValue(node, out var found) || member.SiloAddress.Generation > found.Generation))
                {
                    silos[node] = member.SiloAddress;
                }
            }
            active = new ActiveSilos(snapshot.Version, silos);
            Volatile.Write(ref _active, active);
        }
        return active.Silos.GetValueOrDefault(nodeId);
    }

    private sealed record ActiveSilos(MembershipVersion Version, Dictionary<ulong, SiloAddress> Silos);
}
