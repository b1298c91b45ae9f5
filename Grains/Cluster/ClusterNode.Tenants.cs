using System.Collections.Concurrent;
using System.Text;
using Google.Protobuf;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode : ITenantDirectory, ITenantAdmin
{
    private readonly ConcurrentDictionary<string, RoutedTenant> _routed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IPubSub> _tenantPubSubs = new(StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<string, string> NoSettings = new Dictionary<string, string>();

    // Each tenant's notify-keyspace-events as the replicated tenant table has it, read by this silo's replica of the
    // tenant (which publishes when it leads) and kept in step with every applied change of the table.
    private readonly ConcurrentDictionary<string, KeyspaceEventSettings> _keyspaceEvents = new(StringComparer.Ordinal);
    private PasswordVerifier? _verifier;
    private readonly Func<string, IPubSub> _pubSubs;

    /// <inheritdoc />
    public event Action<string>? Dropped;

    /// <inheritdoc />
    /// <remarks><c>default</c> is found before the cluster state arrives; its commands wait for a leader like any other.</remarks>
    public ITenantGrain? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name != ITenantDirectory.DefaultTenant && !State.Tenants.ContainsKey(name))
        {
            return null;
        }
        return _routed.GetOrAdd(name, n => new RoutedTenant(this, n));
    }

    /// <inheritdoc />
    public IPubSub? FindPubSub(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name == ITenantDirectory.DefaultTenant || State.Tenants.ContainsKey(name) ? PubSubFor(name) : null;
    }

    private IPubSub PubSubFor(string name) => _tenantPubSubs.GetOrAdd(name, n => new ClusterPubSub(this, n, _pubSubs(n)));

    /// <summary>The members of the cluster, as of the last state this silo applied (cached per state).</summary>
    internal IReadOnlyList<ulong> Members()
    {
        var state = State;
        var cached = Volatile.Read(ref _members);
        if (!ReferenceEquals(cached.State, state))
        {
            var ids = new ulong[state.Members.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = state.Members[i].Id;
            }
            cached = new MemberIds(state, ids);
            Volatile.Write(ref _members, cached);
        }
        return cached.Ids;
    }

    private MemberIds _members = new(null, []);

    private sealed record MemberIds(ClusterState? State, ulong[] Ids);

    /// <summary>Carries this silo's publishes to the others' subscribers.</summary>
    internal PublishRelay Publishes { get; }

    /// <summary>Delivers another silo's publishes, in order, to this silo's subscribers of their tenants.</summary>
    internal async Task DeliverPublishedAsync(PublishedMessage[] messages)
    {
        foreach (var message in messages)
        {
            if (_tenantPubSubs.TryGetValue(message.Tenant, out var pubSub))
            {
                await ((ClusterPubSub)pubSub).Local.PublishAsync(message.Channel, message.Message).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Serves other silos' forwarded tenant calls to this one (<see cref="INodeService"/>).</summary>
    internal ITenantCalls TenantCalls => _tenantCalls;

    /// <summary>The password checks of the cluster's tenants on this silo.</summary>
    public PasswordVerifier Passwords => LazyInitializer.EnsureInitialized(ref _verifier, () => new PasswordVerifier(_options.PasswordIterations));

    /// <inheritdoc />
    /// <remarks>An unknown tenant takes as long as a wrong password (see <see cref="PasswordVerifier"/>).</remarks>
    public ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password) =>
        Passwords.VerifyAsync(name, State.Tenants.TryGetValue(name, out var tenant) ? tenant.Password : null, password);

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> GetSettings(string name) =>
        State.Tenants.TryGetValue(name, out var tenant) && tenant.Settings is { } settings ? settings : NoSettings;

    /// <inheritdoc />
    /// <remarks>
    /// The change is committed by the system group (through its leader, wherever it is), so it survives the loss of
    /// any silo and a change of leader; every silo applies it from the log, and the replica leading the tenant
    /// publishes by it once its silo has. Returns once this silo has applied it too.
    /// </remarks>
    public async ValueTask<bool> SetSettingsAsync(string name, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (!State.Tenants.ContainsKey(name))
        {
            return false;
        }
        var request = new TenantSettingsProto { Name = name };
        request.Settings.Add(changes.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        var status = await ChangeTenantAsync(new TenantChangeRequestProto { Settings = request }, cancellationToken).ConfigureAwait(false);
        if (status != TenantChangeStatus.Done)
        {
            return false;
        }
        // Committed; this silo's copy of the table follows within a heartbeat or so. A later change of the same
        // setting may overwrite it meanwhile, so the wait is bounded rather than exact.
        var deadline = Environment.TickCount64 + (long)_options.RequestTimeout.TotalMilliseconds;
        while (!Holds(GetSettings(name), changes) && Environment.TickCount64 < deadline && State.Tenants.ContainsKey(name))
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private static bool Holds(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> changes)
    {
        foreach (var pair in changes)
        {
            if (!settings.TryGetValue(pair.Key, out var value) || value != pair.Value)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The notify-keyspace-events of <paramref name="name"/>'s replica on this silo, kept in step with the tenant table.</summary>
    private KeyspaceEventSettings KeyspaceEventsFor(string name)
    {
        var events = _keyspaceEvents.GetOrAdd(name, static _ => new KeyspaceEventSettings());
        // Read after the entry is in the table: a change applied meanwhile either finds the entry or is in State.
        events.Apply(GetSettings(name), _options.Tenant.KeyspaceEvents.Flags);
        return events;
    }

    /// <summary>Brings every tenant's keyspace-event setting on this silo to <paramref name="state"/>'s (on the system group's turn).</summary>
    private void ApplyTenantSettings(ClusterState state)
    {
        foreach (var pair in _keyspaceEvents)
        {
            if (state.Tenants.TryGetValue(pair.Key, out var tenant))
            {
                pair.Value.Apply(tenant.Settings ?? NoSettings, _options.Tenant.KeyspaceEvents.Flags);
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<TenantRecord> ListTenants() =>
        State.Tenants.Values
            .OrderBy(t => t.Name == ITenantDirectory.DefaultTenant ? 0 : 1)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new TenantRecord(t.Name, t.Created, t.Password))
            .ToList();

    /// <inheritdoc />
    public async Task<TenantChangeStatus> CreateAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TenantName.IsValid(name))
        {
            return TenantChangeStatus.InvalidName;
        }
        if (State.Tenants.ContainsKey(name))
        {
            return TenantChangeStatus.Exists;
        }
        var hash = await Task.Run(() => TenantPassword.Hash(Encoding.UTF8.GetBytes(password), _options.PasswordIterations), cancellationToken).ConfigureAwait(false);
        var status = await ChangeTenantAsync(new TenantChangeRequestProto
        {
            Create = new CreateTenantProto { Name = name, Password = ClusterState.ToProto(hash), CreatedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
        }, cancellationToken).ConfigureAwait(false);
        if (status == TenantChangeStatus.Done)
        {
            // Committed by the system group; this silo serves it once it has applied the change too.
            await WaitForAsync(() => State.Tenants.ContainsKey(name), $"tenant {name} to reach this silo", cancellationToken).ConfigureAwait(false);
        }
        return status;
    }

    /// <inheritdoc />
    public async Task<TenantChangeStatus> DropAsync(string name, CancellationToken cancellationToken = default)
    {
        if (name == ITenantDirectory.DefaultTenant)
        {
            return TenantChangeStatus.Protected;
        }
        if (!TenantName.IsValid(name))
        {
            return TenantChangeStatus.NotFound;
        }
        _replicas.TryGetValue(name, out var local);
        var status = await ChangeTenantAsync(new TenantChangeRequestProto { Drop = name }, cancellationToken).ConfigureAwait(false);
        if (status == TenantChangeStatus.Done)
        {
            await WaitForAsync(() => !State.Tenants.ContainsKey(name), $"the drop of tenant {name} to reach this silo", cancellationToken).ConfigureAwait(false);
            // Its data here is gone before the drop is answered (other silos delete theirs as they apply the drop);
            // a replica that cannot be deleted is reported by the reconcile loop, and the drop stands.
            if (local is not null)
            {
                Signal();
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(_options.RequestTimeout);
                try
                {
                    await WaitForAsync(() => !Directory.Exists(local.Path), $"this silo's replica of tenant {name} to be deleted", bounded.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }
        }
        return status;
    }

    /// <summary>Runs a tenant change on the system group's leader, wherever it is.</summary>
    private async Task<TenantChangeStatus> ChangeTenantAsync(TenantChangeRequestProto request, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        var reason = "the system group has no leader";
        while (true)
        {
            if (_system.Role == RaftRole.Leader)
            {
                try
                {
                    return await ApplyTenantChangeAsync(request, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException)
                {
                    reason = e.Message;
                }
            }
            else if (_system.Leader is var leader and not 0 && leader != NodeId)
            {
                try
                {
                    var answer = await _calls.CallAsync<IClusterCalls, TenantChangeResponseProto>(
                        leader, (target, ct) => target.ChangeTenantAsync(request, ct), cancellationToken).ConfigureAwait(false);
                    if (answer.Status >= 0)
                    {
                        return (TenantChangeStatus)answer.Status;
                    }
                    reason = answer.Message;
                }
                catch (NodeCallException e)
                {
                    reason = $"the system group's leader, node {leader}, cannot be reached: {e.Message}";
                }
            }
            if (Environment.TickCount64 - started > (long)_options.RequestTimeout.TotalMilliseconds * 2)
            {
                throw new TenantUnavailableException($"CLUSTERDOWN the tenant table cannot be changed: {reason}");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves another silo's tenant change (<see cref="IClusterCalls.ChangeTenantAsync"/>).</summary>
    internal async Task<TenantChangeResponseProto> AnswerTenantChangeAsync(TenantChangeRequestProto request, CancellationToken cancellationToken)
    {
        var answer = new TenantChangeResponseProto();
        if (_system.Role != RaftRole.Leader)
        {
            answer.Status = -1;
            answer.Leader = _system.Leader;
            answer.Message = $"node {NodeId} does not lead the system group";
        }
        else
        {
            try
            {
                answer.Status = (int)await ApplyTenantChangeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException)
            {
                answer.Status = -1;
                answer.Message = e.Message;
            }
        }
        return answer;
    }

    private async Task<TenantChangeStatus> ApplyTenantChangeAsync(TenantChangeRequestProto request, CancellationToken cancellationToken)
    {
        var command = request.Create is { } create ? new SystemCommandProto { CreateTenant = create }
            : request.Settings is { } settings ? new SystemCommandProto { SetTenantSettings = settings }
            : new SystemCommandProto { DropTenant = request.Drop };
        var outcome = await ProposeSystemAsync(command, cancellationToken).ConfigureAwait(false);
        return outcome == SystemStateMachine.NotReady ? throw new RaftOutcomeUnknownException("the cluster has no genesis yet") : (TenantChangeStatus)outcome;
    }
}
