using System.Collections.Concurrent;
using IceFire.Raft.Storage;
using IceFire.Raft.Transport;

namespace IceFire.Raft.Hosting;

/// <summary>
/// Runs many Raft groups in one process on a small, fixed set of worker threads, with one timer wheel for all ticks.
/// Messages from the transport are routed by group id; messages for unknown groups are dropped and counted.
/// </summary>
public sealed class RaftHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ulong, RaftGroup> _groups = new();
    private readonly BlockingCollection<RaftGroup> _runnable = new(new ConcurrentQueue<RaftGroup>());
    private readonly IRaftTransport _transport;
    private readonly TimerWheel _wheel;
    private readonly Thread[] _workers;
    private long _unknownGroup;

    /// <summary>Creates a host; call <see cref="Start"/> to run it.</summary>
    public RaftHost(RaftHostOptions options, IRaftTransport transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _transport = transport;
        _wheel = new TimerWheel(options.TickInterval, options.WheelSlots);
        _workers = new Thread[Math.Max(1, options.Workers)];
        for (var i = 0; i < _workers.Length; i++) _workers[i] = new Thread(Work) { IsBackground = true, Name = $"raft-worker-{i}" };
        Metrics = new RaftHostMetrics(this);
    }

    /// <summary>Commit latency and lag instruments.</summary>
    internal RaftHostMetrics Metrics { get; }

    /// <summary>Settings.</summary>
    public RaftHostOptions Options { get; }

    /// <summary>Messages dropped because no group with their id runs here.</summary>
    public long DroppedUnknownGroup => Interlocked.Read(ref _unknownGroup);

    /// <summary>Groups running here.</summary>
    public ICollection<RaftGroup> Groups => _groups.Values;

    /// <summary>Starts the workers and the timer wheel.</summary>
    public void Start()
    {
        foreach (var w in _workers) w.Start();
        _wheel.Start();
    }

    /// <summary>Loads and starts a group from <paramref name="storage"/>; this host owns the storage from now on.</summary>
    public RaftGroup AddGroup(ulong groupId, RaftOptions options, IRaftStorage storage, IRaftStateMachine machine)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Id = Options.NodeId;
        var group = new RaftGroup(this, groupId, options, storage, machine, _transport);
        if (!_groups.TryAdd(groupId, group)) throw new InvalidOperationException($"group {groupId} already runs here");
        _wheel.Add(group);
        // Through the group's own flag: a message delivered meanwhile must not queue a second, concurrent turn.
        group.ScheduleTurn();
        return group;
    }

    /// <summary>
    /// Stops a group here (for example when its replica moves to another node) and closes its storage. Pending requests
    /// fail with <see cref="ObjectDisposedException"/>; later messages for the group are counted as unknown.
    /// </summary>
    public async Task RemoveGroupAsync(ulong groupId)
    {
        if (!_groups.TryRemove(groupId, out var group)) return;
        _wheel.Remove(group);
        await group.RemoveAsync().ConfigureAwait(false);
    }

    /// <summary>Finds a group by id.</summary>
    public bool TryGetGroup(ulong groupId, out RaftGroup group) => _groups.TryGetValue(groupId, out group!);

    /// <summary>Routes a message from the transport to its group.</summary>
    public void Deliver(ulong groupId, Message message)
    {
        if (_groups.TryGetValue(groupId, out var group)) group.Deliver(message);
        else Interlocked.Increment(ref _unknownGroup);
    }

    /// <summary>The link to <paramref name="node"/> went down: every group here hears of it (see <see cref="RaftNode.ReportUnreachable"/>).</summary>
    public void ReportUnreachable(ulong node)
    {
        foreach (var group in _groups.Values) group.ReportUnreachable(node);
    }

    internal void Schedule(RaftGroup group)
    {
        try
        {
            _runnable.Add(group);
        }
        catch (InvalidOperationException)
        {
            // The host is shutting down.
        }
    }

    private void Work()
    {
        foreach (var group in _runnable.GetConsumingEnumerable()) group.RunTurn();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _wheel.Dispose();
        _runnable.CompleteAdding();
        foreach (var w in _workers)
        {
            if (w.IsAlive) w.Join();
        }

        foreach (var g in _groups.Values)
        {
            if (g.Fault is ObjectDisposedException) continue;
            g.Stop(new ObjectDisposedException(nameof(RaftHost)));
            g.DisposeStorage();
        }

        _runnable.Dispose();
        Metrics.Dispose();
        return ValueTask.CompletedTask;
    }
}
