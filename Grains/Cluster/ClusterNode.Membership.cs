using Google.Protobuf;
using IceFire.Grains.Cluster.Wire;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    private static readonly TimeSpan PreferredLeaderInterval = TimeSpan.FromSeconds(10);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, long> _lastHandover = new();

    private MemberProto SelfMember() => new()
    {
        Id = NodeId,
        ClusterAddress = _options.ClusterAddress,
        RespAddress = _options.RespAddress,
        AdminAddress = _options.AdminAddress,
        JoinedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    };

    /// <summary>
    /// Founds a new cluster: this silo is the system group's only voter and writes the genesis entry. When seeds are
    /// given and one of them already belongs to a cluster, joins that one instead, so a first silo restarted on an
    /// empty disk with <c>--bootstrap</c> does not split the cluster in two.
    /// </summary>
    private async Task FoundAsync(CancellationToken cancellationToken)
    {
        foreach (var seed in OtherSeeds())
        {
            // Any answer but "no state yet" means a cluster already exists there: founding a second one would split it.
            var answer = await TryJoinThroughAsync(seed, cancellationToken).ConfigureAwait(false);
            if (answer is not null && answer.Status != JoinResponseProto.Types.Status.NotReady)
            {
                var cluster = answer.ClusterId.Length > 0 ? $"cluster {answer.ClusterId}" : "a cluster";
                throw new ClusterJoinException(
                    $"--bootstrap was given, but seed {seed} already belongs to {cluster}" +
                    (answer.Status == JoinResponseProto.Types.Status.Joined
                        ? "; this silo holds no cluster data, so it must join instead: start it without --bootstrap"
                        : $" and refused this silo: {answer.Message}"));
            }
        }
        ClusterNodeLog.Founding(_logger, NodeId, _options.ReplicationFactor);
        _system.Campaign();
        await WaitForAsync(() => _system.Role == RaftRole.Leader, "this silo to lead the new system group", cancellationToken).ConfigureAwait(false);
        await _system.ReadBarrierAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!State.IsBorn)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await ProposeSystemAsync(new SystemCommandProto
            {
                Genesis = new GenesisProto
                {
                    ClusterId = Guid.NewGuid().ToString("N"),
                    Settings = new ClusterSettingsProto { ReplicationFactor = (uint)Math.Clamp(_options.ReplicationFactor, 1, 7), SystemVoters = 5 },
                    First = SelfMember(),
                    CreatedUnixMs = now,
                },
            }, cancellationToken).ConfigureAwait(false);
        }
        _identity = new ClusterIdentity(NodeId, State.ClusterId);
        _identity.Save(_options.Data);
        ClusterNodeLog.Founded(_logger, NodeId, State.ClusterId);
    }

    private IEnumerable<string> OtherSeeds() =>
        _options.Seeds.Where(s => !string.Equals(s, _options.ClusterAddress, StringComparison.OrdinalIgnoreCase));

    /// <summary>Joins through the seeds, retrying until one answers; the state then arrives through the system group.</summary>
    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        var seeds = OtherSeeds().ToList();
        if (seeds.Count == 0)
        {
            throw new ClusterJoinException(
                $"node {NodeId} has no cluster in {_options.Data.Path} and no seeds to join through: give --seeds, or --bootstrap to found a new cluster");
        }
        ClusterNodeLog.Joining(_logger, NodeId, string.Join(", ", seeds));
        var delay = TimeSpan.FromMilliseconds(200);
        var reported = DateTime.UtcNow;
        while (true)
        {
            foreach (var seed in seeds)
            {
                var answer = await TryJoinThroughAsync(seed, cancellationToken).ConfigureAwait(false);
                if (answer is null)
                {
                    continue;
                }
                switch (answer.Status)
                {
                    case JoinResponseProto.Types.Status.Joined:
                        _identity = new ClusterIdentity(NodeId, answer.ClusterId);
                        _identity.Save(_options.Data);
                        foreach (var member in answer.Members.Where(m => m.Id != NodeId))
                        {
                            SetPeer(member.Id, member.ClusterAddress);
                        }
                        SavePeers();
                        ClusterNodeLog.Joined(_logger, NodeId, answer.ClusterId, answer.Members.Count);
                        return;
                    case JoinResponseProto.Types.Status.WrongCluster or JoinResponseProto.Types.Status.Refused:
                        throw new ClusterJoinException(answer.Message);
                }
            }
            if (DateTime.UtcNow - reported > TimeSpan.FromSeconds(5))
            {
                ClusterNodeLog.JoinRetrying(_logger, NodeId);
                reported = DateTime.UtcNow;
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    /// <summary>
    /// A restarted silo tells the cluster its (maybe new) addresses, and that it is back if it was declared down; best
    /// effort, retried until it lands.
    /// </summary>
    private async Task RejoinAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stop.IsCancellationRequested)
        {
            var me = State.Member(NodeId);
            if (me is not null && !me.Down && me.ClusterAddress == _options.ClusterAddress && me.RespAddress == _options.RespAddress && me.AdminAddress == _options.AdminAddress)
            {
                return;
            }
            if (_system.Role == RaftRole.Leader)
            {
                // Leading the system group (always so in a cluster of one): the change needs no other silo.
                try
                {
                    var own = await AnswerJoinAsync(new JoinRequestProto { Member = SelfMember(), ClusterId = _identity?.ClusterId ?? "" }, stop).ConfigureAwait(false);
                    if (own.Status == JoinResponseProto.Types.Status.Joined)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException)
                {
                    // Lost the leadership meanwhile: ask the new leader below.
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            var targets = State.Members.Where(m => m.Id != NodeId && m.ClusterAddress.Length > 0).Select(m => m.ClusterAddress).Concat(OtherSeeds()).Distinct().ToList();
            foreach (var target in targets)
            {
                var answer = await TryJoinThroughAsync(target, stop).ConfigureAwait(false);
                if (answer is { Status: JoinResponseProto.Types.Status.Joined })
                {
                    return;
                }
                if (answer is { Status: JoinResponseProto.Types.Status.WrongCluster or JoinResponseProto.Types.Status.Refused })
                {
                    ClusterNodeLog.JoinRefused(_logger, NodeId, answer.Message);
                    return;
                }
            }
            try
            {
                // Nobody else to ask (a cluster of one): only this silo's own election is awaited, so look again soon.
                await Task.Delay(targets.Count == 0 ? TimeSpan.FromMilliseconds(20) : delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (targets.Count > 0)
            {
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <summary>Asks <paramref name="address"/> to let this silo join, following a redirect to the system leader once.</summary>
    private async Task<JoinResponseProto?> TryJoinThroughAsync(string address, CancellationToken cancellationToken)
    {
        var request = new SystemRequestProto { Join = new JoinRequestProto { Member = SelfMember(), ClusterId = _identity?.ClusterId ?? "" } };
        for (var hop = 0; hop < 3; hop++)
        {
            JoinResponseProto answer;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                var response = await SystemRequests.SendAsync(ParseEndPoint(address), NodeId, request, timeout.Token).ConfigureAwait(false);
                answer = response.Join ?? throw new InvalidDataException($"{address} did not answer the join");
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or FormatException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            if (answer.Status == JoinResponseProto.Types.Status.NotLeader && answer.LeaderAddress.Length > 0)
            {
                address = answer.LeaderAddress;
                continue;
            }
            return answer;
        }
        return null;
    }

    private async Task<JoinResponseProto> AnswerJoinAsync(JoinRequestProto request, CancellationToken cancellationToken)
    {
        var state = State;
        if (!state.IsBorn)
        {
            return new JoinResponseProto { Status = JoinResponseProto.Types.Status.NotReady, Message = $"node {NodeId} has no cluster state yet" };
        }
        var member = request.Member;
        if (request.ClusterId.Length > 0 && request.ClusterId != state.ClusterId)
        {
            return new JoinResponseProto
            {
                Status = JoinResponseProto.Types.Status.WrongCluster,
                ClusterId = state.ClusterId,
                Message = $"node {member?.Id} belongs to cluster {request.ClusterId}, but its seeds belong to cluster {state.ClusterId}; refusing to join another cluster",
            };
        }
        if (member is null || member.Id == 0)
        {
            return new JoinResponseProto { Status = JoinResponseProto.Types.Status.Refused, Message = "a joining silo needs a node id of 1 or more" };
        }
        if (request.ClusterId.Length == 0 && state.Member(member.Id) is not null)
        {
            // A silo with an empty data directory claiming a member's id would vote again in terms its namesake voted in.
            return new JoinResponseProto
            {
                Status = JoinResponseProto.Types.Status.Refused,
                ClusterId = state.ClusterId,
                Message = $"node id {member.Id} is already a member of cluster {state.ClusterId}, and this silo's data directory holds no cluster: " +
                          "start it on the member's data directory, or give it a new --node-id",
            };
        }
        if (_system.Role != RaftRole.Leader)
        {
            var leader = state.Member(_system.Leader);
            return new JoinResponseProto
            {
                Status = leader is null ? JoinResponseProto.Types.Status.NotReady : JoinResponseProto.Types.Status.NotLeader,
                LeaderAddress = leader?.ClusterAddress ?? "",
                Message = $"node {NodeId} does not lead the system group",
            };
        }
        var known = state.Member(member.Id);
        if (known is null || known.Down || known.ClusterAddress != member.ClusterAddress || known.RespAddress != member.RespAddress || known.AdminAddress != member.AdminAddress)
        {
            member.JoinedUnixMs = known?.Joined.ToUnixTimeMilliseconds() ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await ProposeSystemAsync(new SystemCommandProto { AddMember = member }, cancellationToken).ConfigureAwait(false);
        }
        var answer = new JoinResponseProto { Status = JoinResponseProto.Types.Status.Joined, ClusterId = State.ClusterId };
        answer.Members.AddRange(State.Proto.Members);
        return answer;
    }

    /// <summary>Proposes a system change from this silo (it must lead the system group) and returns its outcome once applied here.</summary>
    private async Task<int> ProposeSystemAsync(SystemCommandProto command, CancellationToken cancellationToken)
    {
        var sequence = Interlocked.Increment(ref _systemSequence);
        await _system.ProposeAsync(_machine.Encode(sequence, command)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return _machine.TryTakeOutcome(sequence, out var outcome) ? outcome : 0;
    }

    /// <summary>
    /// Moves group memberships toward the cluster state, one change per group per pass: on the system leader, every
    /// member joins the system group (voters up to <see cref="ClusterState.SystemVoters"/>, learners beyond); on each
    /// tenant leader here, every silo the tenant is placed on joins its group. A new member comes in as a learner and
    /// is promoted once it holds the whole committed log, so it never weakens the quorum while it catches up.
    /// </summary>
    private async Task DriveMembershipAsync(ClusterState state, CancellationToken stop)
    {
        if (!state.IsBorn)
        {
            return;
        }
        if (_system.Role == RaftRole.Leader)
        {
            await DriveGroupAsync(_system, state.Members.Select(m => m.Id).ToList(), state.SystemVoters).ConfigureAwait(false);
        }
        foreach (var replica in _replicas.Values)
        {
            stop.ThrowIfCancellationRequested();
            if (replica.Group.Role == RaftRole.Leader && state.Tenants.TryGetValue(replica.Name, out var tenant) && tenant.GroupId == replica.GroupId)
            {
                await DriveGroupAsync(replica.Group, tenant.Replicas, int.MaxValue, removeOthers: true).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One membership change toward <paramref name="target"/>: add a missing silo as a learner, else promote a caught-up
    /// learner, else (with <paramref name="removeOthers"/>, once every target silo votes) remove a member the target no
    /// longer lists, never this leader itself.
    /// </summary>
    private async Task DriveGroupAsync(RaftGroup group, IReadOnlyList<ulong> target, int maxVoters, bool removeOthers = false)
    {
        var status = await group.GetStatusAsync().ConfigureAwait(false);
        if (status.Role != RaftRole.Leader)
        {
            return;
        }
        var config = status.Config;
        ConfChange? change = null;
        var missing = target.FirstOrDefault(id => !config.IsMember(id));
        if (missing != 0)
        {
            change = new ConfChange(ConfChangeType.AddLearner, missing);
        }
        else if (config.Voters.Count < maxVoters)
        {
            foreach (var learner in config.Learners)
            {
                var progress = status.Members.FirstOrDefault(p => p.Id == learner);
                if (target.Contains(learner) && progress.Id == learner && progress.RecentActive && progress.Match >= status.Commit)
                {
                    change = new ConfChange(ConfChangeType.AddVoter, learner);
                    break;
                }
            }
        }
        if (change is null && removeOthers && target.All(config.IsVoter))
        {
            var extra = config.Voters.Concat(config.Learners).FirstOrDefault(id => !target.Contains(id) && id != NodeId);
            if (extra != 0)
            {
                change = new ConfChange(ConfChangeType.RemoveNode, extra);
            }
        }
        if (change is null)
        {
            if (removeOthers)
            {
                await HandLeadershipToPreferredAsync(group, status, target).ConfigureAwait(false);
            }
            return;
        }
        try
        {
            await group.ProposeConfChangeAsync(change.Value).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException or TimeoutException)
        {
            // Another change is still uncommitted, or leadership moved: the next pass looks again.
        }
    }

    /// <summary>
    /// Spreads leadership: a tenant's first-ranked replica leads it whenever it is a caught-up voter, so the tenants'
    /// leaders spread over the silos as their placements do, instead of piling up where the groups were founded.
    /// At most one attempt per group every <see cref="PreferredLeaderInterval"/>.
    /// </summary>
    private async Task HandLeadershipToPreferredAsync(RaftGroup group, RaftGroupStatus status, IReadOnlyList<ulong> target)
    {
        if (target.Count == 0 || target[0] == NodeId || !status.Config.IsVoter(target[0]))
        {
            return;
        }
        var preferred = status.Members.FirstOrDefault(p => p.Id == target[0]);
        if (preferred.Id != target[0] || !preferred.RecentActive || preferred.Match < status.LastIndex)
        {
            return;
        }
        var now = Environment.TickCount64;
        if (_lastHandover.TryGetValue(group.Id, out var last) && now - last < (long)PreferredLeaderInterval.TotalMilliseconds)
        {
            return;
        }
        _lastHandover[group.Id] = now;
        try
        {
            await group.TransferLeadershipAsync(target[0]).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException or TimeoutException)
        {
            // Busy or no longer leading: a later pass tries again.
        }
    }
}
