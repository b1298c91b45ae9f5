using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// Serves other silos' calls to this one (<see cref="INodeService"/>). Calls are independent (each tenant's replica
/// orders its own work), so each runs on the thread pool, off the service's scheduler: a handler's synchronous part
/// never holds up the next call.
/// </summary>
public sealed class NodeService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, ClusterNode node)
    : GrainService(grainId, silo, loggerFactory), INodeService
{
    public async Task<NodeCallReply> CallAsync(byte kind, byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Task.Run(() => node.ServeCallAsync(kind, payload, cancellationToken).AsTask(), cancellationToken);
            return new NodeCallReply(result.Status, result.Payload.ToArray());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // The caller hears the handler's failure as a failed call (NodeCallException), as with any other silo fault.
            return new NodeCallReply(NodeCallResult.Failed, System.Text.Encoding.UTF8.GetBytes(e.Message));
        }
    }
}

/// <summary>Reaches the <see cref="INodeService"/> of a given silo.</summary>
public sealed class NodeServiceClient(IServiceProvider services) : GrainServiceClient<INodeService>(services)
{
    /// <summary>The node service of <paramref name="silo"/>.</summary>
    public INodeService On(SiloAddress silo) => GetGrainService(silo);
}
