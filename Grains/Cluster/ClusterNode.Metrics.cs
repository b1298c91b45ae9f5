using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    /// <summary>
    /// The counts of this silo's Raft host and cluster transport (groups, leaders, quiet and faulted groups, frames and
    /// connections) on the "IceFire.Raft" meter, read when a listener collects; the caller disposes it.
    /// </summary>
    public RaftMetrics CreateRaftMetrics() => new(_host, _transport);
}
