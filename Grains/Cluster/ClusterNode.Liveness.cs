using IceFire.Grains.Cluster.Wire;
using IceFire.Raft;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    /// <summary>How much longer a member never seen active has before it is declared down.</summary>
    private static readonly TimeSpan JoinGrace = TimeSpan.FromSeconds(30);

    private readonly Lock _livenessLock = new();

    /// <summary>Members with no active silo in the last view, and since when (monotonic ms); under <see cref="_livenessLock"/>.</summary>
    private readonly Dictionary<ulong, long> _inactiveSince = [];

    /// <summary>The nodes with an active silo in the last view; null until the first view arrives.</summary>
    private IReadOnlySet<ulong>? _activeNodes;

    /// <summary>Members this silo has seen active at least once; under <see cref="_livenessLock"/>.</summary>
    private readonly HashSet<ulong> _everActive = [];

    private readonly HashSet<ulong> _wasDown = [];
    private long _leadingSince;

    /// <summary>
    /// Takes the cluster's view of which nodes have an active silo (Orleans' membership, whose failure detector probes
    /// every silo). A member that leaves the view is reported to every group here at once, so quiet followers of the
    /// groups it leads start their election timers: a partition, unlike a crash, breaks no connection, and an idle
    /// group would otherwise notice only at its quiet backstop. Before the first view, no member counts as gone.
    /// </summary>
    public void ObserveActiveNodes(IReadOnlySet<ulong> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        var now = Environment.TickCount64;
        var gone = new List<ulong>();
        lock (_livenessLock)
        {
            _activeNodes = active;
            _everActive.UnionWith(active);
            foreach (var member in State.Members)
            {
                if (member.Id == NodeId || active.Contains(member.Id))
                {
                    _inactiveSince.Remove(member.Id);
                }
                else if (_inactiveSince.TryAdd(member.Id, now))
                {
                    gone.Add(member.Id);
                }
            }
        }
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
        var now = Environment.TickCount64;
        var inactive = new List<(ulong Id, long Since, bool Seen)>();
        lock (_livenessLock)
        {
            if (_activeNodes is not { } active)
            {
                return;
            }
            foreach (var member in state.Members)
            {
                if (member.Down)
                {
                    _wasDown.Add(member.Id);
                }
                else if (_wasDown.Remove(member.Id))
                {
                    // Back from down: its clock starts afresh, whatever the view said while it was away, and it has
                    // the grace of a starting silo until its new silo is seen active.
                    _everActive.Remove(member.Id);
                    if (!active.Contains(member.Id))
                    {
                        _inactiveSince[member.Id] = now;
                    }
                }
                if (member.Id != NodeId && !active.Contains(member.Id))
                {
                    // A member the view never held (it joined since) is inactive from now.
                    _inactiveSince.TryAdd(member.Id, now);
                    inactive.Add((member.Id, _inactiveSince[member.Id], _everActive.Contains(member.Id)));
                }
            }
        }
        if (_system.Role != RaftRole.Leader)
        {
            _leadingSince = 0;
            return;
        }
        if (_leadingSince == 0)
        {
            _leadingSince = now;
        }
        foreach (var (id, since, seen) in inactive)
        {
            var silentFor = now - Math.Max(since, _leadingSince);
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
