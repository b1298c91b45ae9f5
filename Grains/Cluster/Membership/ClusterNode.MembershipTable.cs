using IceFire.Grains.Cluster.Wire;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster;

/// <summary>The system group's side of Orleans' membership table (Membership/MEMBERSHIP.md).</summary>
public sealed partial class ClusterNode
{
    private ulong _membershipLeaderHint;

    /// <summary>
    /// The node whose Orleans silo <paramref name="silo"/> is, from this silo's replica of the membership table (a
    /// silo's own writes of its row name its node), or 0 when that row has not reached this replica yet.
    /// </summary>
    public ulong NodeOfSilo(Orleans.Runtime.SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return ClusterId is { } clusterId && SystemStateMachine.FindTable(State.Proto, clusterId) is { } table
            && SystemStateMachine.FindRow(table, silo.ToParsableString()) is { } row
            ? Membership.SystemGroupMembershipTable.NodeOf(row.Entry)
            : 0;
    }

    /// <summary>This silo's replica of the system group (for tests that move its leadership).</summary>
    internal RaftGroup SystemGroup => _system;

    /// <summary>
    /// Commits a membership table write through the system group's leader (this silo's replica when it leads, else
    /// the leader's through a system request) and returns its <see cref="MembershipOutcome"/>. Retries while leadership
    /// moves, also when an attempt's outcome became unknown: the write carries its id, and the state machine answers
    /// a write already in the log with its first outcome instead of applying it again.
    /// </summary>
    /// <exception cref="MembershipTableUnavailableException">No leader took it within twice the request timeout.</exception>
    internal async Task<int> WriteMembershipAsync(SystemCommandProto command, CancellationToken cancellationToken)
    {
        var request = new MembershipRequestProto { Write = command };
        var started = Environment.TickCount64;
        var reason = "the system group has no leader";
        for (var attempt = 0; ; attempt++)
        {
            if (_system.Role == RaftRole.Leader)
            {
                try
                {
                    return await ProposeMembershipAsync(command, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException or TimeoutException)
                {
                    reason = e.Message;
                }
            }
            else if (MembershipTarget(attempt) is var target and not 0)
            {
                var answer = await CallMembershipAsync(target, request, cancellationToken).ConfigureAwait(false);
                if (answer.Status >= 0)
                {
                    return answer.Status;
                }
                reason = answer.Message;
            }
            if (Environment.TickCount64 - started > (long)_options.RequestTimeout.TotalMilliseconds * 2)
            {
                throw new MembershipTableUnavailableException($"the membership table cannot be written: {reason}");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The table of Orleans cluster <paramref name="clusterId"/> as committed when the call began: from this silo's
    /// replica after a read barrier when it is a member of the system group, else from the leader's.
    /// </summary>
    /// <returns>The table, or null when it was never written (version 0, no rows).</returns>
    /// <exception cref="MembershipTableUnavailableException">Neither this replica nor a leader answered in time.</exception>
    internal async Task<MembershipTableProto?> ReadMembershipAsync(string clusterId, CancellationToken cancellationToken)
    {
        var request = new MembershipRequestProto { ReadClusterId = clusterId };
        var started = Environment.TickCount64;
        var reason = "the system group has no leader";
        for (var attempt = 0; ; attempt++)
        {
            if (_system.Config.IsMember(NodeId))
            {
                try
                {
                    return await ReadLocalMembershipAsync(clusterId, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException or TimeoutException)
                {
                    reason = e.Message;
                }
            }
            // Not yet in the system group (it joined moments ago) or its replica cannot confirm the commit index: ask
            // the leader, which reads its own replica behind a barrier.
            if (MembershipTarget(attempt) is var target and not 0 && target != NodeId)
            {
                var answer = await CallMembershipAsync(target, request, cancellationToken).ConfigureAwait(false);
                if (answer.Status >= 0)
                {
                    return answer.Table;
                }
                reason = answer.Message;
            }
            if (Environment.TickCount64 - started > (long)_options.RequestTimeout.TotalMilliseconds * 2)
            {
                throw new MembershipTableUnavailableException($"the membership table cannot be read: {reason}");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<MembershipTableProto?> ReadLocalMembershipAsync(string clusterId, CancellationToken cancellationToken)
    {
        await _system.ReadBarrierAsync().WaitAsync(_options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return SystemStateMachine.FindTable(State.Proto, clusterId);
    }

    private async Task<int> ProposeMembershipAsync(SystemCommandProto command, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            return await ProposeSystemAsync(command, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("the system group did not commit the write in time");
        }
    }

    /// <summary>Who to ask: the known leader, else the last leader named in an answer, else each other member in turn.</summary>
    private ulong MembershipTarget(int attempt)
    {
        if (_system.Leader is var leader and not 0 && leader != NodeId)
        {
            return leader;
        }
        if (_membershipLeaderHint is var hint and not 0 && hint != NodeId)
        {
            return hint;
        }
        var others = State.Members;
        for (var i = 0; i < others.Count; i++)
        {
            var member = others[(attempt + i) % others.Count];
            if (member.Id != NodeId)
            {
                return member.Id;
            }
        }
        return 0;
    }

    private async Task<MembershipResponseProto> CallMembershipAsync(ulong target, MembershipRequestProto request, CancellationToken cancellationToken)
    {
        try
        {
            var address = State.Member(target)?.ClusterAddress;
            if (string.IsNullOrEmpty(address))
            {
                throw new IOException("its cluster address is not known");
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            var response = await SystemRequests.SendAsync(ParseEndPoint(address), NodeId, new SystemRequestProto { Membership = request }, timeout.Token).ConfigureAwait(false);
            var answer = response.Membership ?? throw new InvalidDataException("it did not answer the membership call");
            _membershipLeaderHint = answer.Status < 0 ? answer.Leader : target;
            return answer;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or FormatException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _membershipLeaderHint = 0;
            _system.ReportUnreachable(target);
            return new MembershipResponseProto { Status = -1, Message = $"node {target} cannot be reached: {e.Message}" };
        }
    }

    private async Task<MembershipResponseProto> AnswerMembershipAsync(MembershipRequestProto request, CancellationToken cancellationToken)
    {
        var answer = new MembershipResponseProto();
        if (_system.Role != RaftRole.Leader)
        {
            answer.Status = -1;
            answer.Leader = _system.Leader;
            answer.Message = $"node {NodeId} does not lead the system group";
            return answer;
        }
        try
        {
            if (request.Write is { } write)
            {
                // Only membership changes come this way: a peer cannot add members or tenants through this call.
                if (!IsMembershipChange(write.ChangeCase))
                {
                    answer.Status = -1;
                    answer.Message = $"a {write.ChangeCase} change is not a membership table write";
                }
                else
                {
                    answer.Status = await ProposeMembershipAsync(write, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                answer.Table = await ReadLocalMembershipAsync(request.ReadClusterId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException or TimeoutException)
        {
            answer.Status = -1;
            answer.Message = e.Message;
        }
        return answer;
    }

    internal static bool IsMembershipChange(SystemCommandProto.ChangeOneofCase change) => change is
        SystemCommandProto.ChangeOneofCase.InsertMembershipRow or
        SystemCommandProto.ChangeOneofCase.UpdateMembershipRow or
        SystemCommandProto.ChangeOneofCase.UpdateIAmAlive or
        SystemCommandProto.ChangeOneofCase.DeleteMembershipTable or
        SystemCommandProto.ChangeOneofCase.CleanupDefunctSilos;
}

/// <summary>The system group could not take or answer a membership table call in time; Orleans retries it.</summary>
public sealed class MembershipTableUnavailableException(string message) : Exception(message);
