using System.Collections.Concurrent;
using System.Net;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Raft;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using IceFire.Raft.Transport;

namespace IceFire.Grains.Tests.Replication;

/// <summary>
/// Replicas of one tenant on loopback: real TCP between Raft hosts, real LMDB environments, one directory per node
/// that survives a stop, so a node can be stopped and started again from what it stored.
/// </summary>
public sealed class TenantCluster : IAsyncDisposable
{
    public const ulong Group = 7;

    private readonly TempDirectory _temp = new();
    private readonly ConcurrentDictionary<ulong, IPEndPoint> _endpoints = new();
    private readonly ulong _snapshotEvery;
    private readonly TenantOptions _options;

    /// <summary>
    /// Starts <paramref name="members"/> founding replicas with <paramref name="options"/>; their logs are compacted
    /// every <paramref name="snapshotEvery"/> entries (never, by default: then every replica reads the whole log).
    /// </summary>
    public TenantCluster(ulong[] members, ulong snapshotEvery = ulong.MaxValue, TenantOptions? options = null)
    {
        Members = members;
        _snapshotEvery = snapshotEvery;
        _options = options ?? new TenantOptions();
        foreach (var id in members)
        {
            Start(id);
        }
    }

    public ulong[] Members { get; }

    /// <summary>The running replicas by node id.</summary>
    public ConcurrentDictionary<ulong, Replica> Replicas { get; } = new();

    public ICollection<ulong> Running => Replicas.Keys;

    public ReplicatedTenant this[ulong id] => Replicas[id].Tenant;

    /// <summary>The node id of <paramref name="tenant"/>.</summary>
    public ulong IdOf(ReplicatedTenant tenant) => Replicas.First(r => r.Value.Tenant == tenant).Key;

    /// <summary>The directory of node <paramref name="id"/>'s replica.</summary>
    public string DirectoryOf(ulong id) => _temp.Sub($"n{id}");

    /// <summary>Starts node <paramref name="id"/> from what its directory holds; a node that is not a founding member waits to be added.</summary>
    public void Start(ulong id)
    {
        RaftHost? host = null;
        var transport = new TcpTransport(id, new IPEndPoint(IPAddress.Loopback, 0), (g, m) => host!.Deliver(g, m));
        transport.PeerDisconnected += peer => host?.ReportUnreachable(peer);
        transport.Start();
        host = new RaftHost(new RaftHostOptions { NodeId = id, TickInterval = TimeSpan.FromMilliseconds(20), SnapshotEveryEntries = _snapshotEvery }, transport);
        var tenant = ReplicatedTenant.Open("t", DirectoryOf(id), _options, id);
        var bootstrap = Members.Contains(id) ? new ConfState(Members, []) : ConfState.Empty;
        var log = tenant.OpenLog(Group, bootstrap);
        var group = host.AddGroup(Group, new RaftOptions { ElectionTicks = 50, HeartbeatTicks = 5 }, log, tenant);
        tenant.Attach(group);
        _endpoints[id] = transport.LocalEndPoint;
        Replicas[id] = new Replica(transport, host, tenant, log);
        foreach (var (other, endpoint) in _endpoints)
        {
            transport.SetPeer(other, endpoint);
            if (Replicas.TryGetValue(other, out var o))
            {
                o.Transport.SetPeer(id, transport.LocalEndPoint);
            }
        }
        host.Start();
    }

    public async Task StopAsync(ulong id)
    {
        if (!Replicas.TryRemove(id, out var replica))
        {
            return;
        }
        await replica.Transport.DisposeAsync();
        await replica.Host.DisposeAsync();
        replica.Tenant.Dispose();
    }

    public async Task<ReplicatedTenant> LeaderAsync(ulong except = 0)
    {
        ReplicatedTenant? leader = null;
        await Eventually.WaitUntilAsync(() =>
        {
            leader = Replicas.Where(r => r.Key != except && r.Value.Tenant.Group.Role == RaftRole.Leader && r.Value.Tenant.IsLeader)
                .OrderByDescending(r => r.Value.Tenant.Group.Term).Select(r => r.Value.Tenant).FirstOrDefault();
            return leader is not null;
        }, "a leader", TimeSpan.FromSeconds(20));
        return leader!;
    }

    /// <summary>Hands the leadership from <paramref name="from"/> to node <paramref name="to"/>; returns the new leader.</summary>
    public async Task<ReplicatedTenant> TransferAsync(ReplicatedTenant from, ulong to)
    {
        var target = Replicas[to].Tenant;
        // The replica hears of its role during the group's turn; the group publishes it at the end of that turn.
        bool Leads() => target.IsLeader && target.Group.Role == RaftRole.Leader;
        await Eventually.WaitUntilAsync(async () =>
        {
            if (Leads())
            {
                return true;
            }
            if (from.IsLeader)
            {
                try
                {
                    await from.Group.TransferLeadershipAsync(to);
                }
                catch (RaftProposalException)
                {
                    // Not caught up yet, or a transfer is already under way: ask again.
                }
            }
            return Leads();
        }, $"node {to} to lead", TimeSpan.FromSeconds(20));
        return target;
    }

    public static CommandBatch Batch(params string[][] commands) => BatchIn(0, commands);

    public static string Replies(CommandBatch batch) => ((RecordingReplyWriter)batch.Replies).Text;

    /// <summary>Commands against logical database <paramref name="db"/> (the connection's SELECT).</summary>
    public static CommandBatch BatchIn(int db, params string[][] commands)
    {
        var batch = new CommandBatch(new RecordingReplyWriter());
        foreach (var command in commands)
        {
            batch.Add(CommandTable.Find(Encoding.UTF8.GetBytes(command[0]))!, db,
                command.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a)).ToArray());
        }
        return batch;
    }

    public static async Task<string> RunAsync(ReplicatedTenant tenant, params string[][] commands)
    {
        var batch = Batch(commands);
        await tenant.ExecuteAsync(batch).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        return Replies(batch);
    }

    /// <summary>
    /// Runs on whichever replica leads; a refusal (nothing was proposed) moves on to the new leader, while a write whose
    /// outcome is unknown fails the test, as a client could not retry it blindly either (<see cref="WriteOnceAsync"/>
    /// finds out whether it landed).
    /// </summary>
    public async Task<string> RunOnLeaderAsync(params string[][] commands)
    {
        while (true)
        {
            var leader = await LeaderAsync();
            try
            {
                return await RunAsync(leader, commands);
            }
            catch (RaftProposalException e) when (e.Status == ProposeStatus.NotLeader)
            {
            }
        }
    }

    /// <summary>
    /// Runs a write on whichever replica leads until it is known to have been applied exactly once, as a careful client
    /// would. A refusal (nothing was proposed: not the leader, no leader, a transfer under way) is asked again of the
    /// leader of the moment. A write whose outcome is unknown (leadership moved while it was in flight) is looked for
    /// with a linearizable read of <paramref name="probe"/> on the leader, and proposed again only if that read does
    /// not answer <paramref name="landed"/>: once a leader of a later term serves a read, an entry of an earlier term
    /// that it does not show can no longer commit (Raft paper, 5.4.2 and 6.4). The batch is one entry, applied in one
    /// transaction, so the probe answers for all of its commands.
    /// </summary>
    public async Task WriteOnceAsync(string[] probe, string landed, params string[][] commands)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var attempts = new List<string>();
        while (true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the write {string.Join(' ', commands[0])} was not known to be applied after: {string.Join("; ", attempts)}");
            }
            try
            {
                await RunOnLeaderAsync(commands);
                return;
            }
            catch (Exception e) when (e is RaftProposalException or RaftOutcomeUnknownException)
            {
                attempts.Add(e.Message);
                if (e is RaftOutcomeUnknownException && await ReadOnLeaderAsync(probe, deadline, attempts) == landed)
                {
                    return;
                }
                await Task.Delay(20); // Give the election or the transfer under way a moment before asking again.
            }
        }
    }

    /// <summary>A linearizable read on the leader, asked again while leadership moves.</summary>
    private async Task<string> ReadOnLeaderAsync(string[] probe, DateTime deadline, List<string> attempts)
    {
        while (true)
        {
            try
            {
                return await RunAsync(await LeaderAsync(), probe);
            }
            catch (Exception e) when ((e is RaftProposalException or RaftOutcomeUnknownException) && DateTime.UtcNow < deadline)
            {
                attempts.Add(e.Message);
                await Task.Delay(20); // A new leader serves reads once an entry of its term has committed.
            }
        }
    }

    /// <summary>What a replica holds, read locally (no leader involved).</summary>
    public static string Contents(ReplicatedTenant tenant, params string[][] extra)
    {
        var batch = Batch([["GET", "s"], ["GET", "n"], ["SMEMBERS", "set"], ["LRANGE", "l", "0", "-1"], ["PTTL", "e"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["DBSIZE"], .. extra]);
        tenant.ExecuteLocalReads(batch);
        return Replies(batch);
    }

    public async Task AssertReplicasConvergeAsync(params string[][] extra)
    {
        var leader = await LeaderAsync();
        await Eventually.WaitUntilAsync(
            () => Replicas.Values.All(r => r.Tenant.AppliedIndex >= leader.Group.CommitIndex && Contents(r.Tenant, extra) == Contents(leader, extra)),
            "every replica to hold what the leader holds", TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in Replicas.Keys.ToList())
        {
            await StopAsync(id);
        }
        _temp.Dispose();
    }

    public sealed record Replica(TcpTransport Transport, RaftHost Host, ReplicatedTenant Tenant, LmdbRaftStorage Log);
}
