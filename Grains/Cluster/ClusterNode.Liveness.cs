using System.Collections.Concurrent;
using IceFire.Grains.Cluster.Rpc;
using IceFire.Grains.Cluster.Wire;
using IceFire.Raft;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a silo may leave pings unanswered before this silo's replicas hear it is unreachable.</summary>
    private static readonly TimeSpan UnreachableAfter = TimeSpan.FromMilliseconds(1500);

    /// <summary>When each member last answered a ping (monotonic ms).</summary>
    private readonly ConcurrentDictionary<ulong, long> _lastSeen = new();
    private readonly HashSet<ulong> _reportedUnreachable = [];
    private readonly HashSet<ulong> _wasDown = [];
    private long _leadingSince;

    /// <summary>
    /// Node liveness. Every silo pings every member twice a second (<see cref="PingLoopAsync"/>), and a member silent
    /// for <see cref="UnreachableAfter"/> is reported to every group here once, so quiet followers of the groups it
    /// leads start their election timers: a partition, unlike a crash, breaks no connection, and an idle group would
    /// otherwise notice only at its quiet backstop. Here, on the system group's leader, a member silent for
    /// <see cref="ClusterNodeOptions.ReplicaMoveAfter"/> (counted from when this silo began to lead, at the earliest)
    /// is declared down and its replicas are re-placed.
    /// </summary>
    private async Task WatchLivenessAsync(ClusterState state, CancellationToken stop)
    {
        if (!state.IsBorn)
        {
            return;
        }
        var now = Environment.TickCount64;
        foreach (var member in state.Members)
        {
            _lastSeen.TryAdd(member.Id, now);
            if (member.Down)
            {
                _wasDown.Add(member.Id);
            }
            else if (_wasDown.Remove(member.Id))
            {
                // Back from down: its clock starts afresh, whatever the pings said while it was away.
                _lastSeen[member.Id] = Math.Max(_lastSeen[member.Id], now);
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
        foreach (var member in state.Members)
        {
            var silentFor = now - Math.Max(_lastSeen[member.Id], _leadingSince);
            if (member.Down || member.Id == NodeId || silentFor < (long)_options.ReplicaMoveAfter.TotalMilliseconds)
            {
                continue;
            }
            var silent = TimeSpan.FromMilliseconds(silentFor);
            _options.Log($"node {NodeId}: node {member.Id} has not answered for {silent.TotalSeconds:0} s; declaring it down and moving its replicas");
            try
            {
                await ProposeSystemAsync(new SystemCommandProto
                {
                    MemberDown = new MemberDownProto { Id = member.Id, SinceUnixMs = DateTimeOffset.UtcNow.Subtract(silent).ToUnixTimeMilliseconds() },
                }, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Raft.Hosting.RaftProposalException or Raft.Hosting.RaftOutcomeUnknownException)
            {
                // Leadership moved; the next leader's clocks decide.
                return;
            }
        }
    }

    /// <summary>Twice a second, on a timer of its own (a long reconcile pass must not look like silence).</summary>
    private async Task PingLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var state = State;
                if (!state.IsBorn)
                {
                    continue;
                }
                var now = Environment.TickCount64;
                _lastSeen[NodeId] = now;
                foreach (var member in state.Members.Where(m => m.Id != NodeId))
                {
                    _lastSeen.TryAdd(member.Id, now);
                    _ = PingAsync(member.Id, stop);
                    var silent = now - _lastSeen[member.Id];
                    if (silent < (long)UnreachableAfter.TotalMilliseconds)
                    {
                        _reportedUnreachable.Remove(member.Id);
                    }
                    else if (_reportedUnreachable.Add(member.Id))
                    {
                        _host.ReportUnreachable(member.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PingAsync(ulong member, CancellationToken stop)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(UnreachableAfter);
            await _rpc.CallAsync(member, ClusterCalls.Ping, ReadOnlyMemory<byte>.Empty, timeout.Token).ConfigureAwait(false);
            _lastSeen[member] = Environment.TickCount64;
        }
        catch (Exception e) when (e is ClusterRpcException or OperationCanceledException)
        {
            // Not seen this round.
        }
    }
}
