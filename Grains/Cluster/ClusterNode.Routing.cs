using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    /// <summary>
    /// Runs a batch on the replica leading the tenant's group: this silo's when it leads, else the leader's through
    /// a cluster call. Retries while leadership moves, for up to <see cref="ClusterNodeOptions.RequestTimeout"/>; then
    /// fails with CLUSTERDOWN and the reason. A write whose outcome became unknown (leadership lost after it was sent)
    /// is never retried: it fails with TRYAGAIN, since running it twice could apply it twice.
    /// </summary>
    internal async ValueTask RouteAsync(RoutedTenant routed, CommandBatch batch)
    {
        if (batch.AllowStaleReads && !batch.HasWrites && LocalReplicaOf(routed.Name) is { } reader)
        {
            // READONLY: this silo's replica answers as of what it has applied, without asking the leader.
            reader.Tenant.ExecuteLocalReads(batch);
            return;
        }
        var started = Environment.TickCount64;
        var reason = "its group has no leader yet";
        for (var attempt = 0; ; attempt++)
        {
            var (target, targetNode, why) = ChooseTarget(routed, attempt);
            if (target is not null)
            {
                try
                {
                    await ExecuteOnAsync(routed, target, targetNode, batch).ConfigureAwait(false);
                    routed.LeaderHint = targetNode;
                    return;
                }
                catch (LeaderMovedException) when (!batch.HasWrites)
                {
                    routed.LeaderHint = 0;
                    reason = $"node {targetNode} stopped leading its group during the read";
                }
                catch (LeaderMovedException e)
                {
                    routed.LeaderHint = 0;
                    throw new TenantUnavailableException(
                        $"TRYAGAIN tenant {routed.Name} elected a new leader while the write waited on node {targetNode}; it may or may not have been applied", e);
                }
                catch (RaftProposalException e) when (e.Status is ProposeStatus.TransferInProgress)
                {
                    // Leadership is being handed over; the write waits for the new leader rather than fail.
                    routed.LeaderHint = 0;
                    reason = $"node {targetNode} is handing over its leadership";
                }
                catch (RaftProposalException e) when (e.Status is ProposeStatus.NotLeader or ProposeStatus.NoLeader)
                {
                    routed.LeaderHint = e.LeaderHint == targetNode ? 0 : e.LeaderHint;
                    reason = $"node {targetNode} does not lead its group";
                }
                catch (TenantNotFoundException)
                {
                    routed.LeaderHint = 0;
                    reason = $"node {targetNode} holds no replica of it yet";
                }
                catch (NodeCallException e) when (!e.Sent || !batch.HasWrites)
                {
                    routed.LeaderHint = 0;
                    // This silo's replica may be a quiet follower of that silo: let it find out and elect another.
                    LocalReplicaOf(routed.Name)?.Group.ReportUnreachable(targetNode);
                    reason = $"node {targetNode} cannot be reached ({e.Message})";
                }
                catch (RaftOutcomeUnknownException) when (!batch.HasWrites)
                {
                    reason = "leadership moved during the read";
                }
                catch (Exception e) when (e is NodeCallException or RaftOutcomeUnknownException)
                {
                    routed.LeaderHint = 0;
                    throw new TenantUnavailableException(
                        $"TRYAGAIN the leader of tenant {routed.Name} was lost before the write was confirmed; it may or may not have been applied", e);
                }
            }
            else
            {
                reason = why;
            }
            if (Environment.TickCount64 - started >= (long)_options.RequestTimeout.TotalMilliseconds)
            {
                throw new TenantUnavailableException(
                    $"CLUSTERDOWN tenant {routed.Name} is unavailable: {reason} (waited {(long)_options.RequestTimeout.TotalMilliseconds} ms)");
            }
            await Task.Delay(Math.Min(10 << Math.Min(attempt, 4), 150)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the batch on <paramref name="target"/>. When it is another silo and this silo holds a replica, the wait ends
    /// as soon as that replica sees another leader elected: a partition can stall the connection to the old leader for
    /// the whole request timeout while the majority has long moved on.
    /// </summary>
    private async ValueTask ExecuteOnAsync(RoutedTenant routed, ITenantGrain target, ulong targetNode, CommandBatch batch)
    {
        if (target is not RemoteTenantGrain remote || LocalReplicaOf(routed.Name) is not { } local || IsBlocking(batch))
        {
            await target.ExecuteAsync(batch).ConfigureAwait(false);
            return;
        }
        using var abandon = new CancellationTokenSource();
        var call = remote.ExecuteAsync(batch, abandon.Token).AsTask();
        // Only a change counts: the local view may lag the hint the target came from.
        var seen = local.Group.Leader;
        var started = Environment.TickCount64;
        var reported = false;
        while (!call.IsCompleted)
        {
            if (!reported && Environment.TickCount64 - started >= (long)SilentLeaderAfter.TotalMilliseconds)
            {
                // No answer for an election timeout: if the local replica is a quiet follower of that silo (an idle
                // group), it starts its election timer, so a partitioned leader is replaced in about one more timeout
                // rather than after the quiet backstop. A live leader keeps its place: its followers hear it again.
                reported = true;
                local.Group.ReportUnreachable(targetNode);
            }
            var leader = local.Group.Leader;
            if (leader != seen && leader != 0 && leader != targetNode)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                break;
            }
            await Task.WhenAny(call, Task.Delay(LeaderWatchInterval)).ConfigureAwait(false);
        }
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (abandon.IsCancellationRequested && !batch.Cancellation.IsCancellationRequested)
        {
            throw new LeaderMovedException(e);
        }
    }

    private static readonly TimeSpan LeaderWatchInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>About one election timeout (10 ticks of 100 ms).</summary>
    private static readonly TimeSpan SilentLeaderAfter = TimeSpan.FromSeconds(1);

    private static bool IsBlocking(CommandBatch batch) =>
        batch.Count > 0 && !batch.IsTransaction && (CommandTable.Get(batch[batch.Count - 1].Id).Flags & CommandFlags.Blocking) != 0;

    /// <summary>The silo a command was forwarded to stopped leading before it answered.</summary>
    private sealed class LeaderMovedException(Exception inner) : Exception("the leader changed", inner);

    /// <summary>This silo's replica of the tenant as the cluster state places it, or null.</summary>
    /// <summary>This silo's replica of tenant <paramref name="name"/>'s group, or null (for tests that move its leadership).</summary>
    internal RaftGroup? TenantGroup(string name) => LocalReplicaOf(name)?.Group;

    private LocalReplica? LocalReplicaOf(string name) =>
        _replicas.TryGetValue(name, out var local) && State.Tenants.TryGetValue(name, out var placement) && placement.GroupId == local.GroupId ? local : null;

    /// <summary>Where the next attempt goes: the local replica when it leads, else the known or guessed leader.</summary>
    private (ITenantGrain? Target, ulong Node, string Reason) ChooseTarget(RoutedTenant routed, int attempt)
    {
        var state = State;
        if (!state.Tenants.TryGetValue(routed.Name, out var placement))
        {
            if (state.IsBorn && routed.Name != ITenantDirectory.DefaultTenant)
            {
                throw new TenantNotFoundException($"tenant {routed.Name} was dropped");
            }
            return (null, 0, "this silo has not received the cluster state yet");
        }
        ulong leader = 0;
        if (_replicas.TryGetValue(routed.Name, out var local) && local.GroupId == placement.GroupId)
        {
            if (local.Group.Role == RaftRole.Leader)
            {
                return (local.Tenant, NodeId, "");
            }
            leader = local.Group.Leader;
        }
        if (leader == 0 || leader == NodeId)
        {
            leader = routed.LeaderHint;
        }
        if (leader == 0 || leader == NodeId)
        {
            // No one is known to lead: ask the replicas in turn, each answers with its own view of the leader.
            var others = placement.Replicas.Where(id => id != NodeId).ToList();
            if (others.Count == 0)
            {
                return (null, 0, "its group has no leader (election in progress)");
            }
            leader = others[attempt % others.Count];
        }
        return (routed.Remote(leader, _calls, NodeId, _options.RequestTimeout), leader, "");
    }

    internal async Task<bool> RouteUnblockAsync(RoutedTenant routed, CommandBatch batch, UnblockReason reason)
    {
        var (target, _, _) = ChooseTarget(routed, 0);
        if (target is null)
        {
            return false;
        }
        try
        {
            return await target.UnblockAsync(batch, reason).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NodeCallException or RaftProposalException or TenantNotFoundException)
        {
            return false;
        }
    }

    internal async ValueTask<TenantInfo> RouteInfoAsync(RoutedTenant routed)
    {
        var started = Environment.TickCount64;
        for (var attempt = 0; ; attempt++)
        {
            var (target, _, _) = ChooseTarget(routed, attempt);
            if (target is not null)
            {
                try
                {
                    return await target.GetInfoAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is NodeCallException or RaftProposalException or TenantNotFoundException)
                {
                    routed.LeaderHint = 0;
                }
            }
            if (Environment.TickCount64 - started >= (long)_options.RequestTimeout.TotalMilliseconds)
            {
                throw new TenantUnavailableException($"CLUSTERDOWN tenant {routed.Name} is unavailable: no replica answered");
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
    }
}
