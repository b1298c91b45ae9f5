using Orleans.Runtime;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// <see cref="INodeCalls"/> as calls to the <see cref="INodeService"/> of the node's active silo. Calls fail as unsent until
/// <see cref="Start"/>, which the host calls once its Orleans silo has joined the cluster.
/// </summary>
/// <remarks>
/// A silo's name is free (<c>node-ID</c> by default, the pod's name on Kubernetes): which node a silo serves comes from
/// its row in the membership table, which its own writes stamp with its node id.
/// </remarks>
public sealed class OrleansNodeCalls : INodeCalls
{
    private NodeServiceClient? _services;
    private IClusterMembershipService? _membership;
    private Func<SiloAddress, ulong> _nodeOf = static _ => 0;

    /// <summary>The active silo of each node, as of one membership version (rebuilt when the version moves).</summary>
    private ActiveSilos _active = new(MembershipVersion.MinValue, new Dictionary<ulong, SiloAddress>(), Complete: false);

    /// <summary>
    /// Starts carrying calls through <paramref name="services"/>, to the nodes <paramref name="membership"/> holds active;
    /// <paramref name="nodeOf"/> names the node of a silo, or 0 while it is not known yet.
    /// </summary>
    public void Start(NodeServiceClient services, IClusterMembershipService membership, Func<SiloAddress, ulong> nodeOf)
    {
        ArgumentNullException.ThrowIfNull(nodeOf);
        _nodeOf = nodeOf;
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
        var silo = Current().Silos.GetValueOrDefault(nodeId) ?? throw new NodeCallException(false, $"node {nodeId} has no active silo in the cluster");
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

    /// <summary>
    /// The nodes with an active silo now, and whether the node of every active silo is known (a silo's row may reach
    /// this silo's replica of the table moments after Orleans reports the silo active).
    /// </summary>
    public (IReadOnlyCollection<ulong> Nodes, bool Complete) ActiveNodes()
    {
        if (Volatile.Read(ref _membership) is null)
        {
            return ([], false);
        }
        var active = Current();
        return (active.Silos.Keys, active.Complete);
    }

    /// <summary>The active silo of each node (the newest, should two generations overlap).</summary>
    private ActiveSilos Current()
    {
        var snapshot = Volatile.Read(ref _membership)!.CurrentSnapshot;
        var active = Volatile.Read(ref _active);
        if (active.Version == snapshot.Version && active.Complete)
        {
            return active;
        }
        var silos = new Dictionary<ulong, SiloAddress>();
        var complete = true;
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active)
            {
                continue;
            }
            var node = _nodeOf(member.SiloAddress);
            if (node == 0)
            {
                // Its row has not reached this replica yet: look again on the next call.
                complete = false;
            }
            else if (!silos.TryGetValue(node, out var found) || member.SiloAddress.Generation > found.Generation)
            {
                silos[node] = member.SiloAddress;
            }
        }
        active = new ActiveSilos(snapshot.Version, silos, complete);
        Volatile.Write(ref _active, active);
        return active;
    }

    private sealed record ActiveSilos(MembershipVersion Version, Dictionary<ulong, SiloAddress> Silos, bool Complete);
}
