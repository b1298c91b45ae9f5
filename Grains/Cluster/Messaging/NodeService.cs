using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// Serves other silos' calls to this one (<see cref="INodeService"/>) by handing each to the node's handler of its
/// concern. Calls are independent (each tenant's replica orders its own work), so each runs on the thread pool, off
/// the service's scheduler: a handler's synchronous part never holds up the next call.
/// </summary>
public sealed partial class NodeService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, ClusterNode node)
    : GrainService(grainId, silo, loggerFactory), INodeService
{
    /// <summary>Runs a handler's call on the thread pool.</summary>
    private static Task<T> Serve<T>(Func<Task<T>> call, CancellationToken cancellationToken) => Task.Run(call, cancellationToken);

    /// <summary>Runs a handler's call that answers nothing on the thread pool.</summary>
    private static Task Serve(Func<Task> call, CancellationToken cancellationToken) => Task.Run(call, cancellationToken);
}

/// <summary>Reaches the <see cref="INodeService"/> of a given silo.</summary>
public sealed class NodeServiceClient(IServiceProvider services) : GrainServiceClient<INodeService>(services)
{
    /// <summary>The node service of <paramref name="silo"/>.</summary>
    public INodeService On(SiloAddress silo) => GetGrainService(silo);
}
