using Orleans;
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

    /// <summary>Starts carrying calls through <paramref name="services"/>, to the nodes <paramref name="membership"/> holds active.</summary>
    public void Start(NodeServiceClient services, IClusterMembershipService membership)
    {
        Volatile.Write(ref _membership, membership);
        Volatile.Write(ref _services, services);
    }

    /// <summary>Stops carrying calls (the silo is stopping): later ones fail as unsent.</summary>
    public void Stop() => Volatile.Write(ref _services, null);

    public async Task<NodeCallResult> CallAsync(ulong nodeId, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var services = Volatile.Read(ref _services)
            ?? throw new NodeCallException(false, $"node {nodeId} cannot be called: this silo's messaging is not running");
        // Known before sending: no silo of that node is in the cluster now (it stopped, or was declared dead).
        var silo = ActiveSilo(nodeId) ?? throw new NodeCallException(false, $"node {nodeId} has no active silo in the cluster");
        NodeCallReply reply;
        try
        {
            reply = await services.On(silo).CallAsync(kind, payload.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            throw new NodeCallException(true, $"the call to node {nodeId} failed: {e.Message}", e);
        }
        if (reply.Status == NodeCallResult.Failed)
        {
            throw new NodeCallException(true, $"node {nodeId} failed the call: {System.Text.Encoding.UTF8.GetString(reply.Payload)}");
        }
        return new NodeCallResult(reply.Status, reply.Payload);
    }

    /// <summary>The active silo of <paramref name="nodeId"/> (the newest, should two generations overlap), or null.</summary>
    private SiloAddress? ActiveSilo(ulong nodeId)
    {
        var name = NodeNames.SiloName(nodeId);
        SiloAddress? found = null;
        foreach (var member in Volatile.Read(ref _membership)!.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && member.Name == name && (found is null || member.SiloAddress.Generation > found.Generation))
            {
                found = member.SiloAddress;
            }
        }
        return found;
    }
}
