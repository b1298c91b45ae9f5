using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// Periodic durability's timer (appendfsync everysec): syncs a replica's environment once an interval when something
/// was committed since the last sync, and once more when the replica closes. One timer on the shared timer queue, not
/// a thread: a silo holds thousands of replicas.
/// </summary>
internal sealed class ReplicaFlusher(LmdbEnvironment env, TimeSpan interval)
{
    private readonly Lock _lock = new();
    private Timer? _timer;
    private bool _stopped;
    private long _flushedTransaction;

    /// <summary>The id of the environment's last write transaction the last sync put on disk.</summary>
    public long FlushedTransactionId => Interlocked.Read(ref _flushedTransaction);

    /// <summary>Starts the timer; what is committed from now on is synced within <c>interval</c>.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _flushedTransaction = env.LastTransactionId;
            _timer ??= new Timer(static state => ((ReplicaFlusher)state!).Flush(), this, interval, interval);
        }
    }

    /// <summary>Syncs the environment when something was committed since the last sync.</summary>
    private void Flush()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            var last = env.LastTransactionId;
            if (last == _flushedTransaction)
            {
                return;
            }
            // A failed sync throws on the timer's thread and stops the process: the kernel may have dropped the pages
            // it could not write, so nothing committed since can be trusted.
            env.Sync();
            Interlocked.Exchange(ref _flushedTransaction, last);
        }
    }

    /// <summary>Stops the timer and syncs the rest (with always durability, the last commit's meta page) before the environment closes.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            _timer?.Dispose();
            _timer = null;
            env.Sync();
        }
    }
}
