using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Sql;
using IceFire.Grains.Streams;
using IceFire.Grains.Hosting;
using IceFire.Grains.Tenants.Replication;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode
{
    private readonly ConcurrentDictionary<string, LocalReplica> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, string> _peerAddresses = [];
    private readonly Dictionary<string, ulong> _knownTenants = new(StringComparer.Ordinal);
    private readonly Lock _peerLock = new();

    /// <summary>This silo's replica of a tenant.</summary>
    private sealed record LocalReplica(string Name, ulong GroupId, ReplicatedTenant Tenant, RaftGroup Group, string Path);

    /// <summary>The committed log of this silo's replica of tenant <paramref name="name"/>; null when it holds none.</summary>
    public TenantLog? TenantLogOf(string name) => _replicas.TryGetValue(name, out var replica) ? replica.Tenant.Log : null;

    /// <summary>Points the Raft transport and the call client at every member's cluster address.</summary>
    private void UpdatePeers(ClusterState state)
    {
        var changed = false;
        foreach (var member in state.Members)
        {
            // A member without a cluster address is a cluster of one that opened no cluster port.
            if (member.Id != NodeId && member.ClusterAddress.Length > 0)
            {
                changed |= SetPeer(member.Id, member.ClusterAddress);
            }
        }
        if (changed)
        {
            SavePeers();
        }
    }

    private string PeersPath => PeersPathIn(_options.Data.Path);

    private static string PeersPathIn(string dataPath) => System.IO.Path.Combine(dataPath, "cluster", "peers.txt");

    /// <summary>True when the data directory at <paramref name="dataPath"/> knows the addresses of other members.</summary>
    public static bool KnowsPeers(string dataPath)
    {
        var peers = new FileInfo(PeersPathIn(dataPath));
        return peers.Exists && peers.Length > 0;
    }

    /// <summary>
    /// Keeps the members' cluster addresses beside the system group's log: after a restart of the whole cluster, a silo
    /// must reach its peers to elect a leader before it can apply the log entries that name them.
    /// </summary>
    private void SavePeers()
    {
        string text;
        lock (_peerLock)
        {
            text = string.Concat(_peerAddresses.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}\n"));
        }
        try
        {
            Hosting.Catalog.DurableFile.Replace(PeersPath, System.Text.Encoding.UTF8.GetBytes(text));
        }
        catch (IOException e)
        {
            ClusterNodeLog.PeersNotSaved(_logger, NodeId, e.Message);
        }
    }

    private bool NoPeersKnown
    {
        get
        {
            lock (_peerLock)
            {
                return _peerAddresses.Count == 0;
            }
        }
    }

    private void LoadPeers()
    {
        if (!File.Exists(PeersPath))
        {
            return;
        }
        foreach (var line in File.ReadAllLines(PeersPath))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && ulong.TryParse(line.AsSpan(0, space), System.Globalization.CultureInfo.InvariantCulture, out var id) && id != NodeId)
            {
                SetPeer(id, line[(space + 1)..]);
            }
        }
    }

    /// <summary>Points the transport and call client at <paramref name="id"/>; true when its address is new or changed.</summary>
    private bool SetPeer(ulong id, string address)
    {
        lock (_peerLock)
        {
            if (_peerAddresses.TryGetValue(id, out var known) && known == address)
            {
                return false;
            }
        }
        EndPoint endpoint;
        try
        {
            endpoint = ParseEndPoint(address);
        }
        catch (FormatException)
        {
            ClusterNodeLog.UnusableAddress(_logger, NodeId, id, address);
            return false;
        }
        IPEndPoint? ip = endpoint as IPEndPoint;
        if (endpoint is DnsEndPoint dns)
        {
            try
            {
                // Kubernetes: a pod's name in the headless Service resolves once the pod runs; until then the next pass retries.
                var addresses = Dns.GetHostAddresses(dns.Host);
                var chosen = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
                if (chosen is null)
                {
                    return false;
                }
                ip = new IPEndPoint(chosen, dns.Port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }
        _transport.SetPeer(id, ip!);
        lock (_peerLock)
        {
            _peerAddresses[id] = address;
        }
        return true;
    }

    /// <summary>Opens a replica for every tenant placed here and closes (and deletes) those of dropped tenants.</summary>
    private async Task ReconcileReplicasAsync(ClusterState state, CancellationToken stop)
    {
        if (!state.IsBorn)
        {
            return;
        }
        foreach (var (name, groupId) in _knownTenants.ToList())
        {
            if (!state.Tenants.TryGetValue(name, out var tenant) || tenant.GroupId != groupId)
            {
                _knownTenants.Remove(name);
                await ForgetTenantAsync(name, groupId).ConfigureAwait(false);
            }
        }
        foreach (var (name, local) in _replicas.ToList())
        {
            if (state.Tenants.TryGetValue(name, out var placed) && placed.GroupId == local.GroupId && !placed.Replicas.Contains(NodeId)
                && local.Group.Role != RaftRole.Leader)
            {
                // Moved away while this silo was down: the silos now listed hold the data. A removed replica never
                // hears of its removal (the leader stops sending to it), so its own view of the group cannot tell.
                await CloseMovedReplicaAsync(local).ConfigureAwait(false);
            }
        }
        foreach (var tenant in state.Tenants.Values)
        {
            stop.ThrowIfCancellationRequested();
            _knownTenants[tenant.Name] = tenant.GroupId;
            if (!tenant.Replicas.Contains(NodeId) || _replicas.ContainsKey(tenant.Name))
            {
                continue;
            }
            OpenReplica(tenant);
        }
    }

    private void OpenReplica(TenantPlacementInfo tenant)
    {
        var path = ReplicaPath(tenant.Name, tenant.GroupId);
        var founder = tenant.InitialReplicas.Contains(NodeId);
        var fresh = !Directory.Exists(path);
        ClusterNodeLog.OpeningReplica(_logger, NodeId, tenant.Name, tenant.GroupId, founder ? "" : ", joining as learner", fresh ? "" : " from " + path);
        var pubSub = PubSubFor(tenant.Name);
        CheckTables(tenant.Name, path);
        ReplicatedTenant replica;
        try
        {
            replica = ReplicatedTenant.Open(tenant.Name, path, _options.Tenant with { PubSub = pubSub, KeyspaceEvents = KeyspaceEventsFor(tenant.Name) }, NodeId);
        }
        catch (StorageCorruptionException e)
        {
            throw new DataDirectoryException($"tenant '{tenant.Name}' in {path} is damaged: {e.Message}; refusing to start", e);
        }
        catch (LmdbException e)
        {
            throw new DataDirectoryException($"tenant '{tenant.Name}' in {path} cannot be opened: {e.Message}; refusing to start", e);
        }
        try
        {
            var storage = replica.OpenLog(tenant.GroupId, founder ? new ConfState(tenant.InitialReplicas, []) : ConfState.Empty);
            var group = _host.AddGroup(tenant.GroupId, RaftOptionsFor(), storage, replica);
            replica.Attach(group);
            _replicas[tenant.Name] = new LocalReplica(tenant.Name, tenant.GroupId, replica, group, path);
            if (founder && (tenant.InitialReplicas.Count == 1 || (fresh && tenant.InitialReplicas[0] == NodeId)))
            {
                // Alone in its group, or the first-ranked founder of a new group: no need to wait out an election
                // timeout before the tenant's first write.
                group.Campaign();
            }
        }
        catch
        {
            replica.Dispose();
            throw;
        }
    }

    /// <summary>Checks the tables file of every replica in this silo's data directory (<see cref="CheckTables"/>).</summary>
    private void CheckLocalTables()
    {
        var root = System.IO.Path.Combine(_options.Data.Path, "tenants");
        if (!Directory.Exists(root))
        {
            return;
        }
        foreach (var directory in Directory.GetDirectories(root))
        {
            var name = System.IO.Path.GetFileName(directory);
            var suffix = name.LastIndexOf(".g", StringComparison.Ordinal);
            CheckTables(suffix > 0 ? name[..suffix] : name, directory);
        }
    }

    /// <summary>
    /// A damaged SQL file stops the replica's opening as a damaged LMDB file does, before anything opens it for writing:
    /// SQLite would otherwise answer every SQL login "database disk image is malformed" and could write over what is left.
    /// </summary>
    private static void CheckTables(string name, string directory)
    {
        var file = System.IO.Path.Combine(directory, LocalSqlTenant.FileName);
        if (!File.Exists(file))
        {
            return;
        }
        var problems = SqliteFileCheck.Check(file);
        if (problems.Count > 0)
        {
            throw new DataDirectoryException(
                $"tenant '{name}': {file} is damaged ({string.Join("; ", problems)}); refusing to start. " +
                "The file was left as it is: restore it from a backup, or run `icefire check --data DIR` for the whole report");
        }
    }

    private Task CloseMovedReplicaAsync(LocalReplica replica) => CloseReplicaAsync(replica, "which moved to other silos");

    /// <summary>A tenant the state no longer lists (dropped): its clients are told, its replica here closes and its files go.</summary>
    private async Task ForgetTenantAsync(string name, ulong groupId)
    {
        _routed.TryRemove(name, out _);
        Passwords.Forget(name);
        _keyspaceEvents.TryRemove(name, out _);
        Dropped?.Invoke(name);
        _tenantPubSubs.TryRemove(name, out _);
        if (_replicas.TryGetValue(name, out var replica) && replica.GroupId == groupId)
        {
            await CloseReplicaAsync(replica, "which was dropped").ConfigureAwait(false);
        }
    }

    /// <summary>Stops the replica's group, closes its environment and deletes its files.</summary>
    private async Task CloseReplicaAsync(LocalReplica replica, string why)
    {
        _replicas.TryRemove(replica.Name, out _);
        await _host.RemoveGroupAsync(replica.GroupId).ConfigureAwait(false);
        replica.Tenant.Dispose();
        try
        {
            Directory.Delete(replica.Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ClusterNodeLog.DeleteFailed(_logger, NodeId, replica.Path, e.Message);
        }
        ClusterNodeLog.ClosedReplica(_logger, NodeId, replica.Name, why);
    }

    /// <summary>The state of every replica on this silo (<see cref="IClusterCalls.GetLocalReplicaStatusAsync"/>).</summary>
    internal async Task<ReplicaStatusListProto> LocalReplicaStatusAsync()
    {
        var list = new ReplicaStatusListProto { Node = NodeId };
        list.Replicas.Add(await StatusOfAsync("", _system).ConfigureAwait(false));
        foreach (var replica in _replicas.Values)
        {
            list.Replicas.Add(await StatusOfAsync(replica.Name, replica.Group).ConfigureAwait(false));
        }
        return list;
    }

    private static async Task<ReplicaStatusProto> StatusOfAsync(string tenant, RaftGroup group)
    {
        var proto = new ReplicaStatusProto { Tenant = tenant, GroupId = group.Id };
        try
        {
            var status = await group.GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            proto.Role = (int)status.Role;
            proto.Leader = status.Leader;
            proto.Term = status.Term;
            proto.Commit = status.Commit;
            proto.Applied = status.Applied;
            proto.Voters.AddRange(status.Config.Voters);
            proto.Learners.AddRange(status.Config.Learners);
        }
        catch (Exception e) when (e is TimeoutException or ObjectDisposedException or RaftProposalException)
        {
            proto.Role = -1;
        }
        return proto;
    }

    /// <summary>The state of every replica on every reachable member (the local one included), by node id.</summary>
    public async Task<IReadOnlyDictionary<ulong, ReplicaStatusListProto?>> GetReplicaStatusAsync(CancellationToken cancellationToken)
    {
        var members = State.Members;
        var calls = members.Select(async m =>
        {
            try
            {
                if (m.Id == NodeId)
                {
                    return (m.Id, await LocalReplicaStatusAsync().ConfigureAwait(false));
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                var list = await _calls.CallAsync<IClusterCalls, ReplicaStatusListProto>(
                    m.Id, static (target, _) => target.GetLocalReplicaStatusAsync(), timeout.Token).ConfigureAwait(false);
                return (m.Id, list);
            }
            catch (Exception e) when (e is NodeCallException or OperationCanceledException)
            {
                return (m.Id, (ReplicaStatusListProto?)null);
            }
        });
        var results = await Task.WhenAll(calls).ConfigureAwait(false);
        return results.ToDictionary(r => r.Item1, r => r.Item2);
    }
}
