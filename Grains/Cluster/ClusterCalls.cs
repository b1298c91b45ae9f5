using IceFire.Grains.Cluster.Wire;
using Orleans;

namespace IceFire.Grains.Cluster
{
    /// <summary>The calls silos make to each other about the cluster itself: tenant changes and replica status.</summary>
    [Alias("IceFire.IClusterCalls")]
    public interface IClusterCalls : Messaging.INodeCallTarget
    {
        /// <summary>Applies a change of the tenant table, on the system group's leader; another silo answers with the leader it knows.</summary>
        [Alias("ChangeTenant")]
        Task<TenantChangeResponseProto> ChangeTenantAsync(TenantChangeRequestProto request, CancellationToken cancellationToken);

        /// <summary>The state of every replica on the called silo.</summary>
        [Alias("ReplicaStatus")]
        Task<ReplicaStatusListProto> GetLocalReplicaStatusAsync();
    }

    /// <summary>Serves <see cref="IClusterCalls"/> from <paramref name="node"/>.</summary>
    internal sealed class ClusterCallTarget(ClusterNode node) : IClusterCalls
    {
        public Task<TenantChangeResponseProto> ChangeTenantAsync(TenantChangeRequestProto request, CancellationToken cancellationToken) =>
            node.AnswerTenantChangeAsync(request, cancellationToken);

        public Task<ReplicaStatusListProto> GetLocalReplicaStatusAsync() => node.LocalReplicaStatusAsync();
    }
}

namespace IceFire.Grains.Cluster.Messaging
{
    public partial interface INodeService : IClusterCalls;

    public sealed partial class NodeService
    {
        public Task<TenantChangeResponseProto> ChangeTenantAsync(TenantChangeRequestProto request, CancellationToken cancellationToken) =>
            Serve(() => node.ClusterTarget.ChangeTenantAsync(request, cancellationToken), cancellationToken);

        public Task<ReplicaStatusListProto> GetLocalReplicaStatusAsync() =>
            Serve(() => node.ClusterTarget.GetLocalReplicaStatusAsync(), CancellationToken.None);
    }
}
