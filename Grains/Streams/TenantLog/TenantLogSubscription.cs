using IceFire.Raft;
using Orleans.Streams;

namespace IceFire.Grains.Streams;

/// <summary>
/// One subscriber of a tenant's log on this silo. It is either live (the apply queues it each entry it commits) or
/// reading the log (entries it has not had are applied and stored); it turns live when it has read up to the applied
/// index, under the apply's lock, so no entry falls between. One delivery runs at a time, in log order: on the apply's
/// thread while the observer answers at once, from the thread pool once it returns a task that has not finished.
/// </summary>
public sealed class TenantLogSubscription
{
    private readonly TenantLog _log;
    private readonly IAsyncObserver<CommittedEntry> _observer;
    private readonly Lock _gate = new();
    private readonly Queue<Item> _queue = new();
    private ulong _next;
    private bool _live;
    private bool _delivering;
    private bool _closed;

    internal TenantLogSubscription(TenantLog log, IAsyncObserver<CommittedEntry> observer, IKeyChangeFilter? filter, Guid id)
    {
        _log = log;
        _observer = observer;
        Filter = filter;
        Id = id;
    }

    /// <summary>The subscription's id (the stream handle's).</summary>
    public Guid Id { get; }

    internal IKeyChangeFilter? Filter { get; }

    internal IAsyncObserver<CommittedEntry> Observer => _observer;

    /// <summary>The index of the next entry this subscriber gets.</summary>
    public ulong Next
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    /// <summary>Ends the subscription; nothing more is delivered after the delivery in progress.</summary>
    public void Unsubscribe()
    {
        lock (_gate)
        {
            _closed = true;
            _queue.Clear();
        }
        _log.Remove(this);
    }

    /// <summary>Starts at <paramref name="next"/>: live, or reading the log first. Called under the apply's lock.</summary>
    internal void Start(ulong next, bool live)
    {
        lock (_gate)
        {
            _next = Math.Max(next, 1);
            _live = live;
            if (live)
            {
                return;
            }
            _delivering = true;
        }
        _ = Task.Run(ReadLogAsync);
    }

    /// <summary>Queues what the apply committed, when live; called under the apply's lock.</summary>
    internal void Offer(List<CommittedEntry> entries)
    {
        lock (_gate)
        {
            if (!_live || _closed)
            {
                return;
            }
            foreach (var entry in entries)
            {
                if (entry.Index < _next)
                {
                    continue;
                }
                if (_queue.Count >= TenantLog.LiveQueueLimit)
                {
                    // Too far behind: the rest comes from the log, once the queue is delivered.
                    _live = false;
                    break;
                }
                _queue.Enqueue(new Item(entry, 0, 0));
                _next = entry.Index + 1;
            }
            if (_delivering || (_queue.Count == 0 && _live))
            {
                return;
            }
            _delivering = true;
        }
        Pump();
    }

    /// <summary>A snapshot replaced the entries up to <paramref name="index"/>; called under the apply's lock.</summary>
    internal void Skip(ulong index)
    {
        lock (_gate)
        {
            if (!_live || _closed || _next > index)
            {
                return;
            }
            _queue.Enqueue(new Item(null, _next, index));
            _next = index + 1;
            if (_delivering)
            {
                return;
            }
            _delivering = true;
        }
        Pump();
    }

    /// <summary>The log closed: the observer hears the stream completed.</summary>
    internal void Complete()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _queue.Clear();
        }
        _ = Notify(static (observer, _) => observer.OnCompletedAsync(), (Exception?)null);
    }

    /// <summary>Delivers queued items until the queue is empty or a delivery has to be waited for; holds the delivery turn.</summary>
    private void Pump()
    {
        while (true)
        {
            Item item;
            lock (_gate)
            {
                if (_closed)
                {
                    _delivering = false;
                    return;
                }
                if (!_queue.TryDequeue(out item))
                {
                    if (_live)
                    {
                        _delivering = false;
                        return;
                    }
                    // Fell behind: read the rest from the log, keeping the turn.
                    _ = Task.Run(ReadLogAsync);
                    return;
                }
            }
            var delivery = Deliver(item);
            if (!delivery.IsCompletedSuccessfully)
            {
                _ = PumpAfterAsync(delivery);
                return;
            }
        }
    }

    private async Task PumpAfterAsync(Task delivery)
    {
        try
        {
            await delivery.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            Fail(error);
            return;
        }
        Pump();
    }

    /// <summary>Reads the log from <see cref="_next"/> up to the applied index, then turns live; holds the delivery turn.</summary>
    private async Task ReadLogAsync()
    {
        try
        {
            while (true)
            {
                ulong next;
                lock (_gate)
                {
                    if (_closed)
                    {
                        _delivering = false;
                        return;
                    }
                    next = _next;
                }
                var applied = _log.AppliedIndex;
                if (next > applied && TurnLive())
                {
                    return;
                }
                if (next > applied)
                {
                    continue;
                }
                var entries = _log.Read(next, applied);
                var first = entries.Count == 0 ? applied + 1 : entries[0].Index;
                if (first > next)
                {
                    await Deliver(new Item(null, next, first - 1)).ConfigureAwait(false);
                }
                foreach (var entry in entries)
                {
                    if (entry.Type == EntryType.Normal && entry.Data.Length > 0)
                    {
                        await Deliver(new Item(new CommittedEntry(_log.Tenant, entry.Index, entry.Term, entry.Data, null, false), 0, 0)).ConfigureAwait(false);
                    }
                    lock (_gate)
                    {
                        if (_closed)
                        {
                            _delivering = false;
                            return;
                        }
                    }
                }
                lock (_gate)
                {
                    _next = Math.Max(_next, entries.Count == 0 ? applied + 1 : entries[^1].Index + 1);
                }
            }
        }
        catch (Exception error)
        {
            Fail(error);
        }
    }

    /// <summary>
    /// Under the apply's lock, nothing is handed over: when the subscriber has had everything applied, it turns live and
    /// gives up the delivery turn. False when the apply moved on meanwhile (there is more to read).
    /// </summary>
    private bool TurnLive()
    {
        lock (_log.ApplyLock)
        {
            lock (_gate)
            {
                if (_next <= _log.AppliedIndex)
                {
                    return false;
                }
                _live = true;
                _delivering = false;
                return true;
            }
        }
    }

    private Task Deliver(Item item)
    {
        try
        {
            return item.Entry is { } entry
                ? _observer.OnNextAsync(entry, entry.Token)
                : _observer.OnErrorAsync(new TenantLogGapException(_log.Tenant, item.GapFirst, item.GapLast));
        }
        catch (Exception error)
        {
            return Task.FromException(error);
        }
    }

    /// <summary>The observer failed a delivery: the subscription ends, and the observer hears why.</summary>
    private void Fail(Exception error)
    {
        lock (_gate)
        {
            _closed = true;
            _delivering = false;
            _queue.Clear();
        }
        _log.Remove(this);
        _ = Notify(static (observer, e) => observer.OnErrorAsync(e!), error);
    }

    private async Task Notify(Func<IAsyncObserver<CommittedEntry>, Exception?, Task> call, Exception? error)
    {
        try
        {
            await call(_observer, error).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The subscription is over; an observer that fails to hear so has nothing left to lose.
        }
    }

    /// <summary>An entry, or (with no entry) the range of indexes a snapshot replaced.</summary>
    private readonly record struct Item(CommittedEntry? Entry, ulong GapFirst, ulong GapLast);
}
