using Microsoft.Extensions.Logging;

namespace IceFire.Grains.Cluster;

/// <summary>What a cluster node says about itself: joining, replicas opened and closed, members lost, failures it retries.</summary>
internal static partial class ClusterNodeLog
{
    [LoggerMessage(1, LogLevel.Information, "node {NodeId} of cluster {ClusterId}: restarting from {Path}")]
    public static partial void Restarting(ILogger logger, ulong nodeId, string clusterId, string path);

    [LoggerMessage(2, LogLevel.Warning, "node {NodeId}: opening this silo's replicas failed: {Reason}; retrying")]
    public static partial void OpeningReplicasFailed(ILogger logger, ulong nodeId, string reason);

    [LoggerMessage(3, LogLevel.Information, "node {NodeId}: still waiting for {What}")]
    public static partial void StillWaiting(ILogger logger, ulong nodeId, string what);

    [LoggerMessage(4, LogLevel.Warning, "node {NodeId}: reconciling with the cluster state failed: {Reason}")]
    public static partial void ReconcileFailed(ILogger logger, ulong nodeId, string reason);

    [LoggerMessage(5, LogLevel.Information, "adopted {Count} {Tenants} of a single silo's data directory")]
    public static partial void Adopted(ILogger logger, int count, string tenants);

    [LoggerMessage(6, LogLevel.Warning, "node {NodeId}: node {Member} has no active silo in the cluster")]
    public static partial void NoActiveSilo(ILogger logger, ulong nodeId, ulong member);

    [LoggerMessage(7, LogLevel.Warning, "node {NodeId}: node {Member} has had no active silo for {Seconds:0} s; declaring it down and moving its replicas")]
    public static partial void DeclaringDown(ILogger logger, ulong nodeId, ulong member, double seconds);

    [LoggerMessage(8, LogLevel.Information, "node {NodeId}: founding a new cluster (replication factor {ReplicationFactor})")]
    public static partial void Founding(ILogger logger, ulong nodeId, int replicationFactor);

    [LoggerMessage(9, LogLevel.Information, "node {NodeId}: founded cluster {ClusterId}")]
    public static partial void Founded(ILogger logger, ulong nodeId, string clusterId);

    [LoggerMessage(10, LogLevel.Information, "node {NodeId}: joining through {Seeds}")]
    public static partial void Joining(ILogger logger, ulong nodeId, string seeds);

    [LoggerMessage(11, LogLevel.Information, "node {NodeId}: joined cluster {ClusterId} ({Members} members)")]
    public static partial void Joined(ILogger logger, ulong nodeId, string clusterId, int members);

    [LoggerMessage(12, LogLevel.Information, "node {NodeId}: no seed has let this silo join yet; retrying")]
    public static partial void JoinRetrying(ILogger logger, ulong nodeId);

    [LoggerMessage(13, LogLevel.Warning, "node {NodeId}: {Message}")]
    public static partial void JoinRefused(ILogger logger, ulong nodeId, string message);

    [LoggerMessage(14, LogLevel.Warning, "node {NodeId}: could not save the peers' addresses: {Reason}")]
    public static partial void PeersNotSaved(ILogger logger, ulong nodeId, string reason);

    [LoggerMessage(15, LogLevel.Warning, "node {NodeId}: member {Member} has an unusable cluster address '{Address}'")]
    public static partial void UnusableAddress(ILogger logger, ulong nodeId, ulong member, string address);

    [LoggerMessage(16, LogLevel.Information, "node {NodeId}: opening replica of tenant {Tenant} (group {GroupId}{Joining}){From}")]
    public static partial void OpeningReplica(ILogger logger, ulong nodeId, string tenant, ulong groupId, string joining, string from);

    [LoggerMessage(17, LogLevel.Warning, "node {NodeId}: could not delete {Path}: {Reason}")]
    public static partial void DeleteFailed(ILogger logger, ulong nodeId, string path, string reason);

    [LoggerMessage(18, LogLevel.Information, "node {NodeId}: closed the replica of tenant {Tenant}, {Why}")]
    public static partial void ClosedReplica(ILogger logger, ulong nodeId, string tenant, string why);

    [LoggerMessage(19, LogLevel.Warning, "node {NodeId}: publishes to node {Member} are being dropped: it cannot be reached or does not keep up")]
    public static partial void PublishesDropped(ILogger logger, ulong nodeId, ulong member);
}
