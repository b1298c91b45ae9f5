using IceFire.Grains.Cluster.Wire;
using IceFire.Raft;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    /// <summary>How much longer a member never seen active has before it is declared down.</summary>
    private static readonly TimeSpan JoinGrace = TimeSpan.FromSeconds(30);

    private readonly MemberLiveness _liveness;

    /// <summary>
    /// Takes the cluster's view of which nodes have an active silo (Orleans' membership, whose failure detector probes
    /// every silo). A member that leaves the view is reported to every group here at once, so quiet followers of the
    /// groups it leads start their election timers: a partition, unlike a crash, breaks no connection, and an idle
    /// group would otherwise notice only at its quiet backstop. Before the first view, no member counts as gone.
    /// </summary>
    public void ObserveActiveNodes(IReadOnlySet<ulong> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        var gone = _liveness.Observe(active, State.Members, Environment.TickCount64);
        foreach (var id in gone)
        {
            ClusterNodeLog.NoActiveSilo(_logger, NodeId, id);
            _host.ReportUnreachable(id);
        }
        Signal();
    }

    /// <summary>
    /// Here, on the system group's leader: a member with no active silo for <see cref="ClusterNodeOptions.ReplicaMoveAfter"/>
    /// (counted from when this silo began to lead, at the earliest) is declared down and its replicas are re-placed.
    /// </summary>
    private async Task WatchLivenessAsync(ClusterState state, CancellationToken stop)
    {
        if (!state.IsBorn)
        {
            return;
        }
        var inactive = _liveness.Inactive(state.Members, _system.Role == RaftRole.Leader, Environment.TickCount64);
        foreach (var (id, silentFor, seen) in inactive)
        {
            // A member this silo never saw active may still be starting: its silo joins the messaging only once its
            // replicas are open, which can take a while after it entered the system group.
            var limit = _options.ReplicaMoveAfter + (seen ? TimeSpan.Zero : JoinGrace);
            if (state.Member(id) is not { Down: false } || silentFor < (long)limit.TotalMilliseconds)
            {
                continue;
            }
            var silent = TimeSpan.FromMilliseconds(silentFor);
            ClusterNodeLog.DeclaringDown(_logger, NodeId, id, silent.TotalSeconds);
            try
            {
                await ProposeSystemAsync(new SystemCommandProto
                {
                    MemberDown = new MemberDownProto { Id = id, SinceUnixMs = DateTimeOffset.UtcNow.Subtract(silent).ToUnixTimeMilliseconds() },
                }, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Raft.Hosting.RaftProposalException or Raft.Hosting.RaftOutcomeUnknownException)
            {
                // Leadership moved; the next leader's clocks decide.
                return;
            }
        }
    }
}
