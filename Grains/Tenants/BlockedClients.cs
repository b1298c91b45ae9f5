using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Tenants.Commands;

namespace IceFire.Grains.Tenants;

/// <summary>
/// The clients whose blocking command (BLPOP, BLMOVE, BZPOPMIN ...) waits for a key on the tenant's leader: per key, a
/// queue in arrival order, so several clients blocked on one key are served first come, first served, as in Redis.
/// </summary>
/// <remarks>
/// The leader alone may not pop for a waiter, because followers would not; instead, when a write makes a waited-on key
/// non-empty, the leader takes the oldest waiter of the key (<see cref="CommitReplicatedRound"/>) and proposes its
/// command again. Every replica runs that entry like any other: the command pops when a key holds data, and otherwise
/// (another client was faster) the leader parks it again in the place and with the deadline it had. While its entry is
/// in the log the waiter neither times out nor unblocks. Parking is tentative until the apply that parked commits; an
/// apply that aborts leaves the waiters as they were (<see cref="AbortRound"/>). Everything but <see cref="Enqueue"/>
/// and <see cref="RequestUnblock"/> runs on the replica's apply and leader turns, one at a time.
/// </remarks>
internal sealed class BlockedClients(ManualResetEventSlim wake)
{
    private static ReadOnlySpan<byte> UnblockedError => "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"u8;

    private readonly Dictionary<byte[], WaitQueue>?[] _queues = new Dictionary<byte[], WaitQueue>?[RedisKeyspace.DatabaseCount];
    private readonly Dictionary<CommandBatch, Waiter> _byBatch = new(ReferenceEqualityComparer.Instance);
    private readonly PriorityQueue<Waiter, long> _deadlines = new();
    private readonly List<WaitQueue> _ready = [];
    private readonly List<Waiter> _parkedInRound = [];
    private readonly List<Waiter> _reparkedInRound = [];
    private readonly ConcurrentQueue<Request> _requests = new();

    /// <summary>Waiters, those parked in the running round included.</summary>
    public int Count => _byBatch.Count;

    /// <summary>
    /// Parks the current command (the batch's last, outside MULTI) until one of its keys, arguments
    /// <paramref name="firstKey"/> onwards, holds a <paramref name="kind"/>. False when it may not block;
    /// the caller then answers as if it had timed out.
    /// </summary>
    public bool TryPark(ref CommandContext ctx, ValueKind kind, int firstKey, int keyCount, long timeoutMs)
    {
        var batch = ctx.Batch;
        if (batch.IsTransaction || batch[batch.Count - 1].FirstArg != ctx.Command.FirstArg ||
            batch.Cancellation.IsCancellationRequested)
        {
            return false;
        }
        if (_byBatch.TryGetValue(batch, out var proposed))
        {
            // A replicated serve found its keys empty again: the client keeps its place and deadline.
            if (proposed.State != WaiterState.Proposed || _reparkedInRound.Contains(proposed))
            {
                return false;
            }
            _reparkedInRound.Add(proposed);
            return true;
        }
        var waiter = new Waiter(batch, ctx.Command, kind, timeoutMs == 0 ? long.MaxValue : SaturatingAdd(ctx.NowMs, timeoutMs));
        var queues = _queues[ctx.Db] ??= new Dictionary<byte[], WaitQueue>(ChannelNameComparer.Instance);
        var lookup = queues.GetAlternateLookup<ReadOnlySpan<byte>>();
        for (var i = firstKey; i < firstKey + keyCount; i++)
        {
            var key = ctx.Arg(i);
            if (!lookup.TryGetValue(key, out var queue))
            {
                queue = new WaitQueue(ctx.Db, key.ToArray());
                queues.Add(queue.Key, queue);
            }
            if (waiter.Find(queue) >= 0)
            {
                continue; // The same key named twice waits once.
            }
            waiter.Entries.Add(new WaitEntry(queue, queue.Waiters.AddLast(waiter), i));
        }
        _byBatch.Add(batch, waiter);
        _parkedInRound.Add(waiter);
        return true;
    }

    /// <summary>
    /// Notes that <paramref name="key"/> was written as a <paramref name="kind"/> and may now serve the clients blocked
    /// on it for that kind; those waiting for another kind keep waiting, as in Redis 7.0.
    /// </summary>
    public void KeyReady(int db, ReadOnlySpan<byte> key, ValueKind kind)
    {
        if (_byBatch.Count == 0 || _queues[db] is not { } queues ||
            !queues.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out var queue))
        {
            return;
        }
        // The last write of the round decides what the key holds when the round commits.
        queue.ReadyKind = kind;
        if (!queue.Ready)
        {
            queue.Ready = true;
            _ready.Add(queue);
        }
    }

    private void CommitParked(List<CommandBatch> group)
    {
        foreach (var waiter in _parkedInRound)
        {
            waiter.ParkedInRound = false;
            if (waiter.State != WaiterState.Waiting)
            {
                continue;
            }
            group.Remove(waiter.Batch);
            waiter.Batch.IsBlocked = true;
            if (waiter.DeadlineMs != long.MaxValue)
            {
                _deadlines.Enqueue(waiter, waiter.DeadlineMs);
            }
            // Runs at once if the client is already gone; the request is then handled on the next turn.
            waiter.Registration = waiter.Batch.Cancellation.UnsafeRegister(
                static (state, _) =>
                {
                    var (owner, batch) = ((BlockedClients, CommandBatch))state!;
                    owner.Enqueue(new Request(batch, UnblockReason.Timeout, null));
                },
                (this, waiter.Batch));
        }
        _parkedInRound.Clear();
    }

    /// <summary>
    /// The round's transaction committed. Waiters whose serve found nothing wait again; the other batches of
    /// <paramref name="serving"/> were answered by their serve and join <paramref name="answered"/>; commands that
    /// parked leave it. Then, per key made ready, its oldest waiting client goes to <paramref name="serveNext"/> to be
    /// proposed again.
    /// </summary>
    public void CommitReplicatedRound(List<CommandBatch> answered, List<CommandBatch> serving, List<CommandBatch> serveNext)
    {
        foreach (var waiter in _reparkedInRound)
        {
            waiter.State = WaiterState.Waiting;
            if (waiter.DeadlineMs != long.MaxValue)
            {
                // Its deadline may have passed while it was proposed, and been dropped then.
                _deadlines.Enqueue(waiter, waiter.DeadlineMs);
            }
        }
        _reparkedInRound.Clear();
        foreach (var batch in serving)
        {
            if (_byBatch.TryGetValue(batch, out var waiter) && waiter.State == WaiterState.Proposed)
            {
                Remove(waiter);
                batch.IsBlocked = false;
                answered.Add(batch);
            }
        }
        CommitParked(answered);
        foreach (var queue in _ready)
        {
            queue.Ready = false;
            for (var node = queue.Waiters.First; node is not null; node = node.Next)
            {
                if (node.Value.State == WaiterState.Waiting && node.Value.Kind == queue.ReadyKind)
                {
                    node.Value.State = WaiterState.Proposed;
                    serveNext.Add(node.Value.Batch);
                    break;
                }
            }
        }
        _ready.Clear();
    }

    /// <summary>True while <paramref name="batch"/>'s command is proposed again to be served.</summary>
    public bool IsProposed(CommandBatch batch) => _byBatch.TryGetValue(batch, out var waiter) && waiter.State == WaiterState.Proposed;

    /// <summary>Ends the wait of <paramref name="batch"/> with <paramref name="error"/>; false when it was not waiting.</summary>
    public bool Fail(CommandBatch batch, Exception error)
    {
        if (!_byBatch.TryGetValue(batch, out var waiter))
        {
            return false;
        }
        Remove(waiter);
        batch.IsBlocked = false;
        batch.Fail(error);
        return true;
    }

    /// <summary>The round's transaction is gone: waiters are as before it, served replies are dropped.</summary>
    public void AbortRound()
    {
        ClearReady();
        foreach (var waiter in _parkedInRound)
        {
            Remove(waiter);
        }
        _parkedInRound.Clear();
        _reparkedInRound.Clear();
    }

    /// <summary>
    /// CLIENT UNBLOCK: asks the writer to end <paramref name="batch"/>'s wait and answers whether it was waiting. Any
    /// thread. <paramref name="closed"/> tells whether the writer has stopped; it is asked again after the request is
    /// queued, because a shutdown may win the race and would leave the request unanswered.
    /// </summary>
    public Task<bool> RequestUnblock(CommandBatch batch, UnblockReason reason, Func<bool> closed)
    {
        if (closed())
        {
            return Task.FromResult(false);
        }
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new Request(batch, reason, done));
        if (closed())
        {
            DrainRequests();
        }
        return done.Task;
    }

    /// <summary>Asks the writer to end a wait (CLIENT UNBLOCK, a client gone). Any thread.</summary>
    public void Enqueue(Request request)
    {
        _requests.Enqueue(request);
        wake.Set();
    }

    /// <summary>
    /// Between rounds: ends the waits that were asked to end or whose timeout passed. A batch completes at
    /// once, or with <paramref name="awaitingSync"/> when earlier commits are not yet durable.
    /// </summary>
    public void EndWaits(long nowMs, List<CommandBatch> awaitingSync)
    {
        while (_requests.TryDequeue(out var request))
        {
            // A client whose serve is in the log is no longer waiting: its entry answers it.
            var found = _byBatch.TryGetValue(request.Batch, out var waiter) && waiter!.State == WaiterState.Waiting;
            if (found)
            {
                End(waiter!, request.Reason, awaitingSync);
            }
            request.Done?.TrySetResult(found);
        }
        while (_deadlines.TryPeek(out var waiter, out var deadline) && deadline <= nowMs)
        {
            _deadlines.Dequeue();
            if (waiter.State == WaiterState.Waiting)
            {
                End(waiter, UnblockReason.Timeout, awaitingSync);
            }
        }
    }

    /// <summary>How long the writer may sleep: <paramref name="max"/>, or less when a timeout falls due sooner.</summary>
    public TimeSpan WaitBudget(TimeSpan max, long nowMs)
    {
        if (!_deadlines.TryPeek(out _, out var deadline))
        {
            return max;
        }
        var ms = deadline - nowMs;
        return ms <= 0 ? TimeSpan.Zero : ms < max.TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : max;
    }

    /// <summary>The tenant is closing: every waiting batch fails, every pending request answers false.</summary>
    public void FailAll(Exception error)
    {
        foreach (var waiter in _byBatch.Values.ToArray())
        {
            Remove(waiter);
            waiter.Batch.IsBlocked = false;
            waiter.Batch.Fail(error);
        }
        DrainRequests();
    }

    /// <summary>Answers false to every request no writer will handle.</summary>
    public void DrainRequests()
    {
        while (_requests.TryDequeue(out var request))
        {
            request.Done?.TrySetResult(false);
        }
    }

    private void End(Waiter waiter, UnblockReason reason, List<CommandBatch> awaitingSync)
    {
        Remove(waiter);
        waiter.Batch.IsBlocked = false;
        if (reason == UnblockReason.Error)
        {
            waiter.Batch.Replies.WriteRaw(UnblockedError);
        }
        else
        {
            // Redis answers every timed-out list or sorted-set wait, BLMOVE's included, with a null array.
            waiter.Batch.Replies.WriteNullArray();
        }
        if (awaitingSync.Count > 0)
        {
            awaitingSync.Add(waiter.Batch);
        }
        else
        {
            waiter.Batch.Complete();
        }
    }

    /// <summary>Takes the waiter out of every queue and the index; it is done.</summary>
    private void Remove(Waiter waiter)
    {
        foreach (var entry in waiter.Entries)
        {
            var waiters = entry.Queue.Waiters;
            waiters.Remove(entry.Node);
            if (waiters.Count == 0)
            {
                _queues[entry.Queue.Db]!.Remove(entry.Queue.Key);
            }
        }
        waiter.Entries.Clear();
        waiter.Registration.Unregister();
        waiter.State = WaiterState.Done;
        if (_byBatch.TryGetValue(waiter.Batch, out var current) && ReferenceEquals(current, waiter))
        {
            _byBatch.Remove(waiter.Batch);
        }
    }

    private void ClearReady()
    {
        foreach (var queue in _ready)
        {
            queue.Ready = false;
        }
        _ready.Clear();
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>A request to end a wait; <see cref="Done"/>, when set, learns whether there was one.</summary>
    internal readonly record struct Request(CommandBatch Batch, UnblockReason Reason, TaskCompletionSource<bool>? Done);

    private enum WaiterState
    {
        Waiting,
        Done,

        /// <summary>A replicated tenant proposed the command again to serve it; its entry decides.</summary>
        Proposed,
    }

    /// <summary>The clients blocked on one key of one database, oldest first.</summary>
    private sealed class WaitQueue(int db, byte[] key)
    {
        public int Db { get; } = db;

        public byte[] Key { get; } = key;

        public LinkedList<Waiter> Waiters { get; } = new();

        /// <summary>True while the queue is in the ready list.</summary>
        public bool Ready { get; set; }

        /// <summary>What the key was last written as while <see cref="Ready"/>.</summary>
        public ValueKind ReadyKind { get; set; }
    }

    private readonly record struct WaitEntry(WaitQueue Queue, LinkedListNode<Waiter> Node, int ArgIndex);

    /// <summary>One blocked command: where its reply goes, what it waits for, until when.</summary>
    private sealed class Waiter(CommandBatch batch, BatchCommand command, ValueKind kind, long deadlineMs)
    {
        public CommandBatch Batch { get; } = batch;

        public BatchCommand Command { get; } = command;

        public ValueKind Kind { get; } = kind;

        public long DeadlineMs { get; } = deadlineMs;

        public List<WaitEntry> Entries { get; } = [];

        public WaiterState State { get; set; }

        public bool ParkedInRound { get; set; } = true;


        public CancellationTokenRegistration Registration { get; set; }

        public int Find(WaitQueue queue)
        {
            for (var i = 0; i < Entries.Count; i++)
            {
                if (ReferenceEquals(Entries[i].Queue, queue))
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
