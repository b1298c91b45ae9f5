using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants;

/// <summary>
/// How a replicated tenant serves its blocked clients. The leader alone may not pop for a waiter, because followers
/// would not; instead, when a write makes a waited-on key non-empty, the leader takes the oldest waiter of the key
/// (<see cref="CommitReplicatedRound"/>) and proposes its command again. Every replica runs that entry like any other: the
/// command pops when a key holds data, and otherwise (another client was faster) the leader parks it again in the
/// place and with the deadline it had. While its entry is in the log the waiter neither times out nor unblocks.
/// </summary>
internal sealed partial class BlockedClients
{
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
                if (node.Value.State == WaiterState.Waiting)
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
}
