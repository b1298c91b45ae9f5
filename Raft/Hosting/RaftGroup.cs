using System.Collections.Concurrent;
using System.Diagnostics;
using IceFire.Raft.Storage;
using IceFire.Raft.Transport;

namespace IceFire.Raft.Hosting;

/// <summary>
/// One group on a <see cref="RaftHost"/>: a <see cref="RaftNode"/> with its storage, state machine and mailbox. Public
/// methods are thread-safe; they post work that runs on one worker at a time (a turn). If storage or the state machine
/// throws, the group stops: <see cref="Fault"/> is set and every later request fails with it.
/// </summary>
public sealed partial class RaftGroup
{
    private readonly ConcurrentQueue<Work> _inbox = new();
    private readonly RaftHost _host;
    private readonly RaftNode _node;
    private readonly IRaftStorage _storage;
    private readonly IRaftStateMachine _machine;
    private readonly IRaftTransport _transport;
    private int _scheduled;
    private const int QuietTickBatch = 10;
    private int _tickPending;
    private int _ticksOwed;
    private volatile Exception? _fault;
    // ServesReadsAlone as of the end of the last turn: a read barrier then completes at once (ReadBarrierAsync).
    private volatile bool _readsAlone;

    internal RaftGroup(RaftHost host, ulong id, RaftOptions options, IRaftStorage storage, IRaftStateMachine machine, IRaftTransport transport)
    {
        _host = host;
        Id = id;
        _storage = storage;
        _machine = machine;
        _transport = transport;
        var state = storage.Load();
        // The state machine may already hold more than the snapshot (one that persists its applied index with its data);
        // only when it holds less does it start from the stored image.
        if (state.Snapshot.Metadata.Index > state.Applied)
        {
            var path = storage.SnapshotPath(state.Snapshot.Metadata.Index)
                ?? throw new RaftCorruptionException($"group {id}: snapshot {state.Snapshot.Metadata.Index} has no image");
            machine.Restore(state.Snapshot, path);
        }

        _node = new RaftNode(options, state);
        _lastSnapshotIndex = state.Snapshot.Metadata.Index;
        Publish();
    }

    /// <summary>Group id.</summary>
    public ulong Id { get; }

    /// <summary>Why the group stopped, or null while it runs.</summary>
    public Exception? Fault => _fault;

    /// <summary>Role as of the end of the last turn.</summary>
    public RaftRole Role { get; private set; }

    /// <summary>Known leader as of the end of the last turn, or 0.</summary>
    public ulong Leader { get; private set; }

    /// <summary>Term as of the end of the last turn.</summary>
    public ulong Term { get; private set; }

    /// <summary>Commit index as of the end of the last turn.</summary>
    public ulong CommitIndex { get; private set; }

    /// <summary>Last applied index as of the end of the last turn.</summary>
    public ulong AppliedIndex { get; private set; }

    /// <summary>Index of the latest snapshot this node stores (its log starts after it), as of the end of the last turn.</summary>
    public ulong SnapshotIndex { get; private set; }

    /// <summary>
    /// On the leader, committed entries the slowest other member does not hold yet, as of the end of the last turn; 0
    /// elsewhere (see <see cref="RaftNode.SlowestMemberLag"/>).
    /// </summary>
    public ulong ReplicationLag { get; private set; }

    /// <summary>Whether the group was quiet (no heartbeats) at the end of the last turn.</summary>
    public bool Quiesced { get; private set; }

    /// <summary>Membership as of the end of the last turn.</summary>
    public ConfState Config { get; private set; } = ConfState.Empty;

    /// <summary>
    /// Whether this node was the group's only member (see <see cref="RaftNode.IsSoleMember"/>) when the batch being
    /// persisted was taken: storage may read it during <see cref="IRaftStorage.Save"/> to leave appended entries to a
    /// later sync that the application provides before it acknowledges them, since no peer relies on them. A term or
    /// vote change must be synced regardless.
    /// </summary>
    public bool SoleMember { get; private set; }

    /// <summary>Proposes a command; completes with its log index once this node has applied it.</summary>
    public Task<ulong> ProposeAsync(byte[] command)
    {
        var tcs = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Arg carries when it was proposed, for the commit latency, while a listener takes samples.
        Post(new Work(WorkKind.Propose, null, command, tcs, _host.Metrics.TimesCommits ? (ulong)Stopwatch.GetTimestamp() : 0));
        return tcs.Task;
    }

    /// <summary>
    /// Completes once this node's state machine reflects every write committed before the call (ReadIndex or
    /// lease, per <see cref="RaftOptions.ReadMode"/>): a linearizable read may then be served locally. On the leader of a
    /// group whose only voter it is, once it has committed and applied an entry of its term, the returned task has
    /// already completed (no round, no allocation; see <see cref="RaftNode.ServesReadsAlone"/>).
    /// </summary>
    public Task ReadBarrierAsync()
    {
        if (_readsAlone)
        {
            // Published at the end of the turn that made it true; a turn that ends it (a new voter, a higher term)
            // publishes false before this node can vote for anyone, so no other leader can have acknowledged a write.
            return Task.CompletedTask;
        }
        var tcs = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new Work(WorkKind.Read, null, null, tcs, 0));
        return tcs.Task;
    }

    /// <summary>Asks the leader to hand leadership to <paramref name="target"/>.</summary>
    public Task<ulong> TransferLeadershipAsync(ulong target)
    {
        var tcs = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new Work(WorkKind.Transfer, null, null, tcs, target));
        return tcs.Task;
    }

    /// <summary>Proposes a membership change; completes with its index once applied here.</summary>
    public Task<ulong> ProposeConfChangeAsync(ConfChange change)
    {
        var tcs = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new Work(WorkKind.ConfChange, null, null, tcs, ((ulong)change.Type << 56) | change.NodeId));
        return tcs.Task;
    }

    /// <summary>Starts an election at once (for example to bootstrap a known leader).</summary>
    public void Campaign() => Post(new Work(WorkKind.Campaign, null, null, null, 0));

    internal void Deliver(Message m) => Post(new Work(WorkKind.Step, m, null, null, 0));

    /// <summary>Stops the group on its own turn and closes its storage; the returned task completes when that is done.</summary>
    internal Task RemoveAsync()
    {
        var tcs = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new Work(WorkKind.Remove, null, null, tcs, 0));
        return tcs.Task;
    }

    /// <summary>
    /// <paramref name="node"/> could not be reached (a link or a call to it failed): a quiet follower whose leader it is
    /// starts its election timer, and a leader probes it again (<see cref="RaftNode.ReportUnreachable"/>).
    /// </summary>
    public void ReportUnreachable(ulong node) => Post(new Work(WorkKind.Unreachable, null, null, null, node));

    internal void EnqueueTick()
    {
        // Ticks accumulate and are all applied at the start of the group's next turn. A quiet group is only scheduled
        // every QuietTickBatch ticks; any other work arriving first settles the ticks owed before it runs.
        var owed = Interlocked.Increment(ref _ticksOwed);
        if (Quiesced && owed < QuietTickBatch) return;
        if (Interlocked.Exchange(ref _tickPending, 1) == 0) Post(new Work(WorkKind.Tick, null, null, null, 0));
    }

    /// <summary>Queues a turn unless one is queued or running; a group never runs two turns at once.</summary>
    internal void ScheduleTurn()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0) _host.Schedule(this);
    }

    private void Post(Work work)
    {
        if (_fault is { } fault)
        {
            work.Completion?.TrySetException(fault);
            return;
        }

        _inbox.Enqueue(work);
        ScheduleTurn();
    }

    private enum WorkKind
    {
        Step,
        Tick,
        Propose,
        Read,
        Transfer,
        ConfChange,
        Campaign,
        Unreachable,
        Remove,
        Status,
    }

    private readonly record struct Work(WorkKind Kind, Message? Message, byte[]? Data, TaskCompletionSource<ulong>? Completion, ulong Arg);
}
