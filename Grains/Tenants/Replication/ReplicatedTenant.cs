using System.Buffers.Binary;
using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Storage.Raft;
using IceFire.Grains.Streams;
using IceFire.Raft;
using IceFire.Raft.Hosting;
using Microsoft.Extensions.Logging;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// One replica of a tenant whose writes go through the tenant's Raft group (REPLICATION.md). On the leader, write
/// batches that arrive while a proposal is being made are encoded into one entry; when the entry commits, every
/// replica applies it to its own LMDB environment with the leader's clock, and the leader answers the waiting
/// connections from that apply. Reads on the leader wait for a ReadIndex barrier, so they are linearizable (none on the
/// leader of a one-voter group, which no other node can depose).
/// </summary>
/// <remarks>
/// The log lives in the tenant's environment (<see cref="LmdbRaftStorage"/>); the applied index is stored with the
/// data in the same write transaction that applies the entries, and the log store reports it at load, so a restart
/// re-applies nothing twice. A snapshot image is a compacted copy of the whole environment; restoring one replaces
/// every database but the log's in one write transaction (REPLICATION.md, Snapshots).
/// WATCH, blocked clients, keyspace notifications and the active expiry sweep live on the leader (the partial files
/// beside this one; REPLICATION.md says how they stay consistent with the log).
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
    private LmdbRaftStorage? _storage;
    private ulong _sequence;
    private int _proposing;
    private ulong _applied;

    private ReplicatedTenant(string name, string directory, LmdbEnvironment env, RedisKeyspace keyspace, LmdbDatabase replica, TenantOptions options, ulong nodeId)
    {
        Name = name;
        _directory = directory;
        _env = env;
        _keyspace = keyspace;
        _replica = replica;
        _options = options;
        _nodeId = nodeId;
        _flusher = new ReplicaFlusher(env, FlushInterval);
        _events = new TenantEvents(new TenantLog(name, _leaderLock, () => AppliedIndex, ReadLog));
        keyspace.Observer = _events;
        if (options.PubSub is not null)
        {
            // Keyspace notifications are the log's first consumer, from the next entry on.
            _events.Log.Subscribe(new KeyspaceNotifier(options.KeyspaceEvents, options.PubSub), from: null);
        }
        _loop = new ThreadPoolLoop(LeaderTurn);
        _blocked = new BlockedClients(_loop.WakeEvent);
        using var txn = env.BeginRead();
        _applied = txn.TryGet(replica, AppliedKey, out var raw) ? BinaryPrimitives.ReadUInt64LittleEndian(raw) : 0;
    }

    public string Name { get; }

    /// <summary>The keyspace in the replica's environment.</summary>
    internal RedisKeyspace Keyspace => _keyspace;

    /// <summary>The highest log index applied to this replica's environment.</summary>
    public ulong AppliedIndex => Volatile.Read(ref _applied);

    /// <summary>The replica's committed entries, for subscribers on this silo (the <c>tenant-log</c> stream).</summary>
    public TenantLog Log => _events.Log;

    /// <summary>The group this replica belongs to, once attached.</summary>
    public RaftGroup Group => _group ?? throw new InvalidOperationException($"tenant {Name} is not attached to its Raft group");

    /// <summary>Opens (or creates) the replica's environment in <paramref name="directory"/>.</summary>
    public static ReplicatedTenant Open(string name, string directory, TenantOptions options, ulong nodeId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exists = File.Exists(Path.Combine(directory, "data.mdb"));
        var env = LmdbEnvironment.Open(directory, EnvironmentOptions(options));
        try
        {
            var keyspace = RedisKeyspace.Open(env, isNew: !exists);
            keyspace.TenantName = name;
            keyspace.DamageLogger = options.LoggerFactory.CreateLogger<RedisKeyspace>();
            return new ReplicatedTenant(name, directory, env, keyspace, env.OpenDatabase("replica"), options, nodeId);
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The log store of the tenant's group, in the replica's own environment; its snapshot images go to
    /// <c>snapshots/{group:x16}</c> inside the replica's directory. It reports this replica's applied index at load.
    /// </summary>
    public LmdbRaftStorage OpenLog(ulong groupId, ConfState bootstrap) =>
        _storage = LmdbRaftStorage.Open(_env, groupId, bootstrap, appliedIndex: () => AppliedIndex, syncEntries: SyncEntries);

    /// <summary>Stored entries for the log's subscribers that read behind the apply.</summary>
    private IReadOnlyList<Entry> ReadLog(ulong from, ulong upTo, int max) =>
        _storage is { } storage ? storage.ReadEntries(from, upTo, max) : [];

    /// <summary>Joins the group the host created with this replica as its state machine.</summary>
    public void Attach(RaftGroup group)
    {
        _group = group;
        StartLeaderLoop();
        StartFlusher();
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

    private ValueTask ReadAsync(CommandBatch batch, RaftGroup group)
    {
        var barrier = group.ReadBarrierAsync();
        if (!barrier.IsCompletedSuccessfully)
        {
            return ReadAfterAsync(batch, barrier);
        }
        // A one-voter leader's barrier has already completed: the read runs here, with no state machine allocated.
        ExecuteLocalReads(batch);
        return default;
    }

    private async ValueTask ReadAfterAsync(CommandBatch batch, Task barrier)
    {
        await barrier;
        ExecuteLocalReads(batch);
    }

    private void ReloadCollectionCounter()
    {
        using var read = _env.BeginRead();
        _keyspace.ReloadCollectionCounter(read);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The image is a compacted copy of the whole environment (<c>mdb_env_copyfd2</c>), log database included, followed
    /// by the SQL database's copy when the tenant has one (<see cref="AppendSqlImage"/>); it runs
    /// in a read transaction on the group's turn, after the apply of <paramref name="metadata"/>'s index, so it holds
    /// exactly the state as of that index. <see cref="Restore"/> ignores the log database of an image.
    /// </remarks>
    public void TakeSnapshot(SnapshotMetadata metadata, string imagePath)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Index != AppliedIndex)
        {
            RaftInvariantException.Throw($"tenant {Name}: snapshot at {metadata.Index}, but the replica has applied {AppliedIndex}");
        }
        _env.CopyToFile(imagePath);
        AppendSqlImage(imagePath);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Opens the image read-only as a second environment and, in one write transaction of the replica's environment,
    /// empties every database but the log's, copies in every database of the image but its log, and sets the applied
    /// index to the snapshot's: a crash leaves the old state or the new one, never a mix.
    /// </remarks>
    public void Restore(Snapshot snapshot, string imagePath)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // The tables first: should the keyspace's restore not finish, the log is replayed from the old applied index,
        // and the SQL file skips what it already holds.
        RestoreSqlImage(imagePath);
        using var image = OpenImage(imagePath);
        // The old pages stay referenced until the commit: room for both, so the copy rarely has to start over.
        var needed = _env.UsedBytes + 2 * new FileInfo(imagePath).Length;
        if (_env.MapSize < needed)
        {
            _env.Grow(needed);
        }
        while (true)
        {
            try
            {
                ReplaceKeyspace(image, snapshot.Metadata.Index);
                break;
            }
            catch (LmdbMapFullException)
            {
                _env.Grow();
            }
        }
        ReloadCollectionCounter();
        lock (_leaderLock)
        {
            Volatile.Write(ref _applied, snapshot.Metadata.Index);
            Volatile.Write(ref _appliedTerm, snapshot.Metadata.Term);
            _events.Log.Restored(snapshot.Metadata.Index);
        }
    }

    private LmdbEnvironment OpenImage(string imagePath)
    {
        try
        {
            return LmdbEnvironment.OpenImage(imagePath);
        }
        catch (LmdbException error)
        {
            throw new RaftCorruptionException($"tenant {Name}: snapshot image {imagePath} is not an LMDB environment: {error.Message}");
        }
    }

    private void ReplaceKeyspace(LmdbEnvironment image, ulong index)
    {
        using var source = image.BeginRead();
        using var txn = _env.BeginWrite();
        foreach (var name in LmdbEnvironment.DatabaseNames(txn))
        {
            if (name != LmdbRaftStorage.DatabaseName)
            {
                txn.Clear(LmdbEnvironment.OpenExistingDatabase(txn, name));
            }
        }
        foreach (var name in LmdbEnvironment.DatabaseNames(source))
        {
            if (name == LmdbRaftStorage.DatabaseName)
            {
                continue;
            }
            var from = LmdbEnvironment.OpenExistingDatabase(source, name);
            if (source.IsDupSort(from))
            {
                throw new RaftCorruptionException($"tenant {Name}: snapshot image holds database {name} with duplicate keys, which no replica writes");
            }
            var to = txn.OpenDatabase(name, create: true);
            using var cursor = source.OpenCursor(from);
            for (var more = cursor.First(); more; more = cursor.Next())
            {
                // The image's keys come in the database's order, so each is appended without a search.
                txn.Append(to, cursor.Key, cursor.Value);
            }
        }
        // An image taken by a replica of an earlier build holds records without checksums: they get theirs here, in
        // the same transaction, so no reader ever sees them unchecked.
        RedisKeyspace.UpgradeInPlace(txn, $"tenant {Name}: snapshot image");
        Span<byte> applied = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(applied, index);
        txn.Put(_replica, AppliedKey, applied);
        txn.Commit();
    }

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
            Interlocked.Read(ref _commits), Interlocked.Read(ref _commandsWritten), _keyspace.ExpiredKeys, _keyspace.ChecksumFailures));
    }

    /// <summary>Closes the environment; the group must have been removed from its host first.</summary>
    public void Dispose()
    {
        StopLeaderLoop();
        var closing = new ObjectDisposedException($"tenant {Name} is shutting down");
        foreach (var sequence in _inflight.Keys)
        {
            // A proposal the group failed as it left its host may be failing these batches right now: whoever removes
            // the entry answers them, once.
            if (_inflight.TryRemove(sequence, out var batches))
            {
                FailProposal(_serves.TryRemove(sequence, out _), batches, closing);
            }
        }
        _events.Log.Close();
        CloseSql();
        StopFlusher();
        _env.Dispose();
    }
}
