using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants;

/// <summary>
/// A tenant's dataset on this silo: its LMDB environment and the 16 Redis databases in it.
/// Reads run on the caller's thread on a pooled read transaction. Writes go through the mailbox to one
/// dedicated writer thread (LMDB write transactions belong to a thread, and async continuations hop
/// threads), which commits every batch waiting at that moment in one transaction (group commit) and
/// completes them only when the commit is durable.
/// </summary>
public sealed partial class TenantGrain : ITenantGrain, IDisposable
{
    private readonly LmdbEnvironment _env;
    private readonly RedisKeyspace _keyspace;
    private readonly TenantOptions _options;
    private readonly TenantScanCursors _cursors = new();
    private readonly TenantEvents _events;
    private readonly ConcurrentQueue<CommandBatch> _mailbox = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _writer;
    // Periodic durability only: flushes committed writes once a second, off the writer thread.
    private readonly Thread? _syncer;
    private readonly ManualResetEventSlim _stopSyncer = new(false);
    private volatile bool _stopping;
    private volatile bool _writerDone;
    private long _commits;
    // Rounds of the writer loop that committed something; the periodic syncer flushes when it has moved.
    private long _committedRounds;
    private long _commandsWritten;
    private long _lastCommitUnixSeconds;

    private TenantGrain(string name, LmdbEnvironment env, RedisKeyspace keyspace, TenantOptions options)
    {
        Name = name;
        _env = env;
        _keyspace = keyspace;
        _options = options;
        _events = new TenantEvents(options.KeyspaceEvents, options.PubSub);
        keyspace.Observer = _events;
        _lastCommitUnixSeconds = options.Time.GetUtcNow().ToUnixTimeSeconds();
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = $"tenant-writer:{name}" };
        _writer.Start();
        if (options.Durability == DurabilityMode.Periodic)
        {
            _syncer = new Thread(SyncLoop) { IsBackground = true, Name = $"tenant-sync:{name}" };
            _syncer.Start();
        }
    }

    public string Name { get; }

    /// <summary>The tenant's directory.</summary>
    public string Directory => _env.Path;

    /// <summary>
    /// How many write transactions the dataset has committed, ever: the commit index of this single replica
    /// (LMDB's last transaction id).
    /// </summary>
    public long CommitIndex => _env.LastTransactionId;

    internal RedisKeyspace Keyspace => _keyspace;

    /// <summary>
    /// Opens the tenant in <paramref name="directory"/>, creating it when <paramref name="create"/> is true.
    /// An existing environment that is not an IceFire keyspace throws <see cref="StorageCorruptionException"/>
    /// or <see cref="LmdbException"/>; nothing is written to it.
    /// </summary>
    public static TenantGrain Open(string name, string directory, TenantOptions options, bool create)
    {
        var dataFile = Path.Combine(directory, "data.mdb");
        var exists = File.Exists(dataFile);
        if (!exists && !create)
        {
            throw new StorageCorruptionException($"{dataFile} is missing");
        }
        var env = LmdbEnvironment.Open(directory, new LmdbEnvironmentOptions
        {
            InitialMapSize = options.InitialMapSize,
            SyncOnCommit = options.Durability == DurabilityMode.Always,
            DeferMetaSync = options.Durability == DurabilityMode.Always,
            WriteMap = options.WriteMap,
        });
        try
        {
            var keyspace = RedisKeyspace.Open(env, isNew: !exists);
            keyspace.TenantName = name;
            keyspace.DamageLog = options.DamageLog;
            return new TenantGrain(name, env, keyspace, options);
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask ExecuteAsync(CommandBatch batch)
    {
        if (!batch.HasWrites)
        {
            ExecuteReads(batch);
            return default;
        }
        if (_stopping)
        {
            return ValueTask.FromException(new ObjectDisposedException($"tenant {Name} is shutting down"));
        }
        var completion = batch.Start();
        _mailbox.Enqueue(batch);
        if (_writerDone)
        {
            // Shutdown won the race after the check above: nobody will run this batch.
            FailLeftovers();
        }
        else
        {
            _wake.Set();
        }
        return completion;
    }

    private void FailLeftovers()
    {
        while (_mailbox.TryDequeue(out var leftover))
        {
            leftover.Fail(new ObjectDisposedException($"tenant {Name} is shutting down"));
        }
    }

    private void ExecuteReads(CommandBatch batch)
    {
        using var txn = _env.BeginRead();
        TenantStateMachine.ExecuteReads(_keyspace, txn, batch, _options.Time.GetUtcNow().ToUnixTimeMilliseconds(), _cursors);
    }

    /// <inheritdoc />
    public ValueTask<TenantInfo> GetInfoAsync()
    {
        var keyspace = new List<(int, long, long)>();
        long usedBytes;
        // The read transaction holds the environment open, so a concurrent drop cannot close it under these reads.
        using (var txn = _env.BeginRead())
        {
            usedBytes = _env.UsedBytes;
            for (var db = 0; db < RedisKeyspace.DatabaseCount; db++)
            {
                var keys = _keyspace.Count(txn, db);
                if (keys > 0)
                {
                    keyspace.Add((db, keys, _keyspace.CountExpires(txn, db)));
                }
            }
        }
        return ValueTask.FromResult(new TenantInfo(
            keyspace,
            usedBytes,
            Interlocked.Read(ref _lastCommitUnixSeconds),
            Interlocked.Read(ref _commits),
            Interlocked.Read(ref _commandsWritten),
            _keyspace.ExpiredKeys, _keyspace.ChecksumFailures));
    }

    /// <summary>Stops taking writes, finishes the ones queued, makes everything durable and closes the environment.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        _wake.Set();
        _writer.Join();
        _writerDone = true;
        FailLeftovers();
        Blocked.FailAll(new ObjectDisposedException($"tenant {Name} is shutting down"));
        _stopSyncer.Set();
        _syncer?.Join();
        _env.Sync();
        _env.Dispose();
    }
}
