using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using IceFire.Grains.Cluster.Rpc;
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
    private readonly ConcurrentDictionary<string, (PasswordHash Hash, byte[] Digest)> _accepted = new(StringComparer.Ordinal);
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

    /// <summary>The members other than this silo whose addresses are known, for a publish to reach.</summary>
    internal IReadOnlyList<ulong> OtherMembers() => State.Members.Where(m => m.Id != NodeId).Select(m => m.Id).ToList();

    /// <summary>Delivers a publish on <paramref name="member"/>; a silo that does not answer in time counts no deliveries.</summary>
    internal async Task<long> PublishRemoteAsync(ulong member, ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var timeout = new CancellationTokenSource(PublishTimeout);
            var response = await _rpc.CallAsync(member, ClusterCalls.Publish, payload, timeout.Token).ConfigureAwait(false);
            return response.Payload.Length == 8 ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(response.Payload.Span) : 0;
        }
        catch (Exception e) when (e is ClusterRpcException or OperationCanceledException)
        {
            // Redis keeps no messages either: a subscriber on an unreachable silo misses this one.
            return 0;
        }
    }

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(1);

    private async ValueTask<RpcResponse> HandlePublishAsync(ReadOnlyMemory<byte> payload)
    {
        var (tenant, channel, message) = ClusterPubSub.DecodePublish(payload);
        long count = 0;
        if (_tenantPubSubs.TryGetValue(tenant, out var pubSub))
        {
            count = await ((ClusterPubSub)pubSub).Local.PublishAsync(channel, message).ConfigureAwait(false);
        }
        var answer = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(answer, count);
        return new RpcResponse(0, answer);
    }

    /// <inheritdoc />
    public async ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password)
    {
        if (!State.Tenants.TryGetValue(name, out var tenant) || tenant.Password is not { } stored)
        {
            return false;
        }
        var digest = HMACSHA256.HashData(stored.Salt, password.Span);
        if (_accepted.TryGetValue(name, out var known) && ReferenceEquals(known.Hash, stored) && CryptographicOperations.FixedTimeEquals(known.Digest, digest))
        {
            return true;
        }
        var ok = await Task.Run(() => TenantPassword.Verify(stored, password.Span)).ConfigureAwait(false);
        if (ok)
        {
            _accepted[name] = (stored, digest);
        }
        return ok;
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
        var status = await ChangeTenantAsync(new TenantChangeRequestProto { Drop = name }, cancellationToken).ConfigureAwait(false);
        if (status == TenantChangeStatus.Done)
        {
            await WaitForAsync(() => !State.Tenants.ContainsKey(name), $"the drop of tenant {name} to reach this silo", cancellationToken).ConfigureAwait(false);
        }
        return status;
    }

    /// <summary>Runs a tenant change on the system group's leader, wherever it is.</summary>
    private async Task<TenantChangeStatus> ChangeTenantAsync(TenantChangeRequestProto request, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        var reason = "the system group has no leader";
        var payload = request.ToByteArray();
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
                    var response = await _rpc.CallAsync(leader, ClusterCalls.TenantChange, payload, cancellationToken).ConfigureAwait(false);
                    var answer = TenantChangeResponseProto.Parser.ParseFrom(response.Payload.Span);
                    if (answer.Status >= 0)
                    {
                        return (TenantChangeStatus)answer.Status;
                    }
                    reason = answer.Message;
                }
                catch (ClusterRpcException e)
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

    private async ValueTask<RpcResponse> HandleTenantChangeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var request = TenantChangeRequestProto.Parser.ParseFrom(payload.Span);
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
        return new RpcResponse(0, answer.ToByteArray());
    }

    private async Task<TenantChangeStatus> ApplyTenantChangeAsync(TenantChangeRequestProto request, CancellationToken cancellationToken)
    {
        var command = request.Create is { } create
            ? new SystemCommandProto { CreateTenant = create }
            : new SystemCommandProto { DropTenant = request.Drop };
        var outcome = await ProposeSystemAsync(command, cancellationToken).ConfigureAwait(false);
        return outcome == SystemStateMachine.NotReady ? throw new RaftOutcomeUnknownException("the cluster has no genesis yet") : (TenantChangeStatus)outcome;
    }
}
