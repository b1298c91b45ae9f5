using System.Collections.Concurrent;
using IceFire.Grains.Cluster.Rpc;
using IceFire.Grains.Cluster.Wire;
using IceFire.Raft;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(1);

    /// <summary>On the system leader: when each member last answered a ping (monotonic ms).</summary>
    private readonly ConcurrentDictionary<ulong, long> _lastSeen = new();
    private long _lastPingRound;
    private bool _wasSystemLeader;

    /// <summary>
    /// On the system group's leader: pings every member once a second, and declares down (re-placing its replicas)
    /// a member that has not answered for <see cref="ClusterNodeOptions.ReplicaMoveAfter"/>. A new leader starts every
    /// clock afresh, so a leadership change only ever delays a move.
    /// </summary>
    private async Task WatchLivenessAsync(ClusterState state, CancellationToken stop)
    {
        var leading = state.IsBorn && _system.Role == RaftRole.Leader;
        if (!leading)
        {
            _wasSystemLeader = false;
            return;
        }
        var now = Environment.TickCount64;
        if (!_wasSystemLeader)
        {
            _wasSystemLeader = true;
            _lastSeen.Clear();
        }
        foreach (var member in state.Members)
        {
            _lastSeen.TryAdd(member.Id, now);
        }
        if (now - Interlocked.Read(ref _lastPingRound) >= (long)PingInterval.TotalMilliseconds)
        {
            Interlocked.Exchange(ref _lastPingRound, now);
            foreach (var member in state.Members.Where(m => m.Id != NodeId))
            {
                _ = PingAsync(member.Id, stop);
            }
        }
        _lastSeen[NodeId] = now;
        foreach (var member in state.Members)
        {
            if (member.Down || member.Id == NodeId || now - _lastSeen[member.Id] < (long)_options.ReplicaMoveAfter.TotalMilliseconds)
            {
                continue;
            }
            var silent = TimeSpan.FromMilliseconds(now - _lastSeen[member.Id]);
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

    private async Task PingAsync(ulong member, CancellationToken stop)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(PingInterval);
            await _rpc.CallAsync(member, ClusterCalls.Ping, ReadOnlyMemory<byte>.Empty, timeout.Token).ConfigureAwait(false);
            _lastSeen[member] = Environment.TickCount64;
        }
        catch (Exception e) when (e is ClusterRpcException or OperationCanceledException)
        {
            // Not seen this round.
        }
    }
}
