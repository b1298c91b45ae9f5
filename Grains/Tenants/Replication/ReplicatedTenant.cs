using System.Buffers.Binary;
using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Storage.Raft;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// One replica of a tenant whose writes go through the tenant's Raft group (REPLICATION.md). On the leader, write
/// batches that arrive while a proposal is being made are encoded into one entry; when the entry commits, every
/// replica applies it to its own LMDB environment with the leader's clock, and the leader answers the waiting
/// connections from that apply. Reads on the leader wait for a ReadIndex barrier, so they are linearizable.
/// </summary>
/// <remarks>
/// The log lives in the tenant's environment (<see cref="LmdbRaftStorage"/>); the applied index is stored with the
/// data in the same write transaction that applies the entries, so a restart re-applies nothing twice.
/// WATCH, blocked clients, keyspace notifications and the active expiry sweep live on the leader (the partial files
/// beside this one; REPLICATION.md says how they stay consistent with the log). Not yet here: snapshots, so the host
/// must not compact tenant logs.
/// </remarks>
public sealed partial class ReplicatedTenant : ITenantGrain, IRaftStateMachine, IDisposable
{
    private static readonly byte[] AppliedKey = "applied"u8.ToArray();

    private readonly LmdbEnvironment _env;
    private readonly RedisKeyspace _keyspace;
    private readonly LmdbDatabase _replica;
    private readonly TenantOptions _options;
    private readonly ulong _nodeId;
    private readonly TenantScanCursors _cursors = new();
    private readonly ConcurrentQueue<CommandBatch> _queue = new();
    private readonly ConcurrentDictionary<ulong, List<CommandBatch>> _inflight = new();
    private readonly DiscardingReplyWriter _discard = new();
    private RaftGroup? _group;
    private ulong _sequence;
    private int _proposing;
    private ulong _applied;

    private ReplicatedTenant(string name, LmdbEnvironment env, RedisKeyspace keyspace, LmdbDatabase replica, TenantOptions options, ulong nodeId)
    {
        Name = name;
        _env = env;
        _keyspace = keyspace;
        _replica = replica;
        _options = options;
        _nodeId = nodeId;
        _events = new TenantEvents(options.KeyspaceEvents, options.PubSub);
        keyspace.Observer = _events;
        _blocked = new BlockedClients(_wake);
        using var txn = env.BeginRead();
        _applied = txn.TryGet(replica, AppliedKey, out var raw) ? BinaryPrimitives.ReadUInt64LittleEndian(raw) : 0;
    }

    public string Name { get; }

    /// <summary>The highest log index applied to this replica's environment.</summary>
    public ulong AppliedIndex => Volatile.Read(ref _applied);

    /// <summary>The group this replica belongs to, once attached.</summary>
    public RaftGroup Group => _group ?? throw new InvalidOperationException($"tenant {Name} is not attached to its Raft group");

    /// <summary>Opens (or creates) the replica's environment in <paramref name="directory"/>.</summary>
    public static ReplicatedTenant Open(string name, string directory, TenantOptions options, ulong nodeId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exists = File.Exists(Path.Combine(directory, "data.mdb"));
        var env = LmdbEnvironment.Open(directory, new LmdbEnvironmentOptions { InitialMapSize = options.InitialMapSize, SyncOnCommit = true });
        try
        {
            var keyspace = RedisKeyspace.Open(env, isNew: !exists);
            return new ReplicatedTenant(name, env, keyspace, env.OpenDatabase("replica"), options, nodeId);
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    /// <summary>The log store of the tenant's group, in the replica's own environment.</summary>
    public LmdbRaftStorage OpenLog(ulong groupId, ConfState bootstrap) => LmdbRaftStorage.Open(_env, groupId, bootstrap);

    /// <summary>Joins the group the host created with this replica as its state machine.</summary>
    public void Attach(RaftGroup group)
    {
        _group = group;
        StartLeaderLoop();
    }

    /// <inheritdoc />
    public ValueTask ExecuteAsync(CommandBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var group = Group;
        if (!batch.HasWrites)
        {
            return ReadAsync(batch, group);
        }
        if (batch.ExecCount < 0 && IsWatchOnly(batch))
        {
            return WatchAsync(batch, group);
        }
        if (group.Role != RaftRole.Leader)
        {
            return ValueTask.FromException(new RaftProposalException(ProposeStatus.NotLeader, group.Leader,
                $"tenant {Name}: node {_nodeId} is not the leader (leader {group.Leader})"));
        }
        var completion = batch.Start();
        _queue.Enqueue(batch);
        if (Interlocked.CompareExchange(ref _proposing, 1, 0) == 0)
        {
            Propose(group);
        }
        return completion;
    }

    /// <summary>
    /// Runs a read-only batch on this replica's current state without asking the leader: may be stale (the
    /// connection's READONLY).
    /// </summary>
    public void ExecuteLocalReads(CommandBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var txn = _env.BeginRead();
        TenantStateMachine.ExecuteReads(_keyspace, txn, batch, _options.Time.GetUtcNow().ToUnixTimeMilliseconds(), _cursors);
    }

    private async ValueTask ReadAsync(CommandBatch batch, RaftGroup group)
    {
        await group.ReadBarrierAsync();
        ExecuteLocalReads(batch);
    }

    private void ReloadCollectionCounter()
    {
        using var read = _env.BeginRead();
        _keyspace.ReloadCollectionCounter(read);
    }

    /// <inheritdoc />
    public byte[] TakeSnapshot() =>
        throw new NotSupportedException($"tenant {Name}: snapshots of a tenant replica are not built yet; the host must not compact tenant logs");

    /// <inheritdoc />
    public void Restore(Snapshot snapshot) =>
        throw new NotSupportedException($"tenant {Name}: installing a snapshot on a tenant replica is not built yet");

    /// <inheritdoc />
    public ValueTask<TenantInfo> GetInfoAsync()
    {
        var keyspace = new List<(int, long, long)>();
        using (var txn = _env.BeginRead())
        {
            for (var db = 0; db < RedisKeyspace.DatabaseCount; db++)
            {
                var keys = _keyspace.Count(txn, db);
                if (keys > 0)
                {
                    keyspace.Add((db, keys, _keyspace.CountExpires(txn, db)));
                }
            }
        }
        return ValueTask.FromResult(new TenantInfo(keyspace, _env.UsedBytes, Interlocked.Read(ref _lastCommitUnixSeconds),
            Interlocked.Read(ref _commits), Interlocked.Read(ref _commandsWritten), _keyspace.ExpiredKeys));
    }

    /// <summary>Closes the environment; the group must have been removed from its host first.</summary>
    public void Dispose()
    {
        StopLeaderLoop();
        foreach (var (_, batches) in _inflight)
        {
            Fail(batches, new ObjectDisposedException($"tenant {Name} is shutting down"));
        }
        _inflight.Clear();
        _env.Dispose();
    }
}
