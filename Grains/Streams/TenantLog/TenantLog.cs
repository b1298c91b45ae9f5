using IceFire.Grains.Interfaces;
using IceFire.Raft;
using Orleans.Streams;

namespace IceFire.Grains.Streams;

/// <summary>
/// The committed entries of one tenant replica on this silo, for subscribers of the <c>tenant-log</c> stream
/// (STREAMS.md). A subscription starts at a log index or at the next entry to apply. Entries already applied are read
/// back from the replica's log; after that the apply hands each entry over as it commits it, in log order, with the
/// changes it made. A subscriber that falls <see cref="LiveQueueLimit"/> entries behind goes back to reading the log,
/// so a slow consumer costs the apply nothing but a bounded queue, and misses nothing that the log still holds.
/// </summary>
public sealed class TenantLog
{
    /// <summary>Entries queued for one subscriber before it reads the log instead.</summary>
    public const int LiveQueueLimit = 4096;

    /// <summary>Entries read from the log at a time.</summary>
    internal const int ReadChunk = 256;

    private readonly Func<ulong> _applied;
    private readonly Func<ulong, ulong, int, IReadOnlyList<Entry>> _read;
    private readonly Lock _gate = new();
    private TenantLogSubscription[] _subscriptions = [];
    private volatile bool _wantsEveryEntry;
    private bool _closed;

    /// <summary>
    /// The log of <paramref name="tenant"/>'s replica, whose applied index <paramref name="applied"/> reads and whose
    /// stored entries <paramref name="read"/> reads (from, up to, at most). The apply holds <paramref name="applyLock"/>
    /// while it advances the applied index and hands entries over.
    /// </summary>
    public TenantLog(string tenant, object applyLock, Func<ulong> applied, Func<ulong, ulong, int, IReadOnlyList<Entry>> read)
    {
        Tenant = tenant;
        ApplyLock = applyLock;
        _applied = applied;
        _read = read;
    }

    /// <summary>The tenant whose log it is.</summary>
    public string Tenant { get; }

    /// <summary>Held by the apply while it advances the applied index and hands entries over.</summary>
    internal object ApplyLock { get; }

    internal ulong AppliedIndex => _applied();

    /// <summary>True while someone subscribes.</summary>
    public bool HasSubscribers => Volatile.Read(ref _subscriptions).Length > 0;

    /// <summary>
    /// True while a subscriber wants every entry; otherwise the apply hands over only entries that changed what a
    /// subscriber asked for (<see cref="IKeyChangeFilter.ChangesOnly"/>), and builds none while nothing is wanted.
    /// </summary>
    public bool WantsEveryEntry => _wantsEveryEntry;

    /// <summary>True when a subscriber wants the changes of <paramref name="eventClass"/> recorded now.</summary>
    public bool WantsChanges(KeyspaceEventFlags eventClass)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            if (subscription.Filter?.WantsChanges(eventClass) == true)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The subscriptions on this silo, for the stream's handles.</summary>
    internal IReadOnlyList<TenantLogSubscription> Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>
    /// Subscribes <paramref name="observer"/> from log index <paramref name="from"/> (the entry there first, or the
    /// first committed one after it), or from the next entry applied when null. <paramref name="filter"/>, or the
    /// observer itself when it is one, says which changes it wants recorded.
    /// </summary>
    public TenantLogSubscription Subscribe(IAsyncObserver<CommittedEntry> observer, ulong? from, IKeyChangeFilter? filter = null, Guid? id = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = new TenantLogSubscription(this, observer, filter ?? observer as IKeyChangeFilter, id ?? Guid.NewGuid());
        lock (ApplyLock)
        {
            lock (_gate)
            {
                if (_closed)
                {
                    throw new ObjectDisposedException($"tenant {Tenant}: the replica on this silo has closed its log");
                }
                SetSubscriptions([.. _subscriptions, subscription]);
            }
            // Under the apply's lock no entry is handed over: the subscription starts exactly after the applied index,
            // or reads the log up to it first.
            var applied = AppliedIndex;
            subscription.Start(from is null || from > applied ? Math.Max(from ?? 0, applied + 1) : from.Value, live: from is null || from > applied);
        }
        return subscription;
    }

    /// <summary>Hands over committed entries, in log order; called by the apply, holding <see cref="ApplyLock"/>.</summary>
    public void Deliver(List<CommittedEntry> entries)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            subscription.Offer(entries);
        }
    }

    /// <summary>
    /// The replica installed a snapshot up to <paramref name="index"/>: subscribers waiting for entries it covers are
    /// told they will not get them. Called holding <see cref="ApplyLock"/>.
    /// </summary>
    public void Restored(ulong index)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
        {
            subscription.Skip(index);
        }
    }

    /// <summary>The replica closes: every subscription completes.</summary>
    public void Close()
    {
        TenantLogSubscription[] subscriptions;
        lock (_gate)
        {
            _closed = true;
            subscriptions = _subscriptions;
            SetSubscriptions([]);
        }
        foreach (var subscription in subscriptions)
        {
            subscription.Complete();
        }
    }

    internal IReadOnlyList<Entry> Read(ulong from, ulong upTo) => _read(from, upTo, ReadChunk);

    internal void Remove(TenantLogSubscription subscription)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscriptions, subscription);
            if (index >= 0)
            {
                SetSubscriptions([.. _subscriptions[..index], .. _subscriptions[(index + 1)..]]);
            }
        }
    }

    private void SetSubscriptions(TenantLogSubscription[] subscriptions)
    {
        var every = false;
        foreach (var subscription in subscriptions)
        {
            every |= subscription.Filter is not { ChangesOnly: true };
        }
        _wantsEveryEntry = every;
        Volatile.Write(ref _subscriptions, subscriptions);
    }
}
