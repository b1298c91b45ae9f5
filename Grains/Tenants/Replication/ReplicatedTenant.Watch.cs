using IceFire.Grains.Interfaces;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// WATCH on a replicated tenant. The key versions live on the leader and change as entries apply there. WATCH and
/// UNWATCH write nothing, so they run on the leader without the log; an EXEC under WATCH is checked by the proposer
/// once everything proposed before it has been applied, and proposed before anything after the check, so followers
/// apply it unconditionally (REPLICATION.md).
/// </summary>
public sealed partial class ReplicatedTenant
{
    /// <summary>True when the batch is only WATCH, UNWATCH and reads: nothing in it needs the log.</summary>
    private static bool IsWatchOnly(CommandBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            if (CommandTable.Get(batch[i].Id).IsWrite)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Runs WATCH and UNWATCH (and reads beside them) on the leader after a read barrier, against the applied state,
    /// under the lock the apply holds, so a watch is ordered with every entry applied here.
    /// </summary>
    private async ValueTask WatchAsync(CommandBatch batch, RaftGroup group)
    {
        if (!IsLeader)
        {
            throw NotLeader(group);
        }
        await group.ReadBarrierAsync();
        lock (_leaderLock)
        {
            if (!_isLeader)
            {
                throw NotLeader(group);
            }
            using var txn = _env.BeginRead();
            TenantStateMachine.ExecuteReads(_keyspace, txn, batch, NowMs, _cursors, _events);
        }
    }

    /// <summary>
    /// True when an EXEC under WATCH may be checked now: this replica leads, has applied an entry of its own term
    /// (so every earlier leader's entries too), and nothing it proposed is still waiting to be applied.
    /// </summary>
    private bool WatchesCheckable =>
        Volatile.Read(ref _isLeader) && Volatile.Read(ref _appliedTerm) == Volatile.Read(ref _leaderTerm) && _inflight.IsEmpty;

    /// <summary>
    /// The check of an EXEC under WATCH, with <paramref name="nowMs"/>, the clock its entry will carry. True when its
    /// commands are to be proposed (the array header is written); false when it answered a null array.
    /// </summary>
    private bool CheckWatches(CommandBatch batch, long nowMs)
    {
        lock (_leaderLock)
        {
            if (!_isLeader)
            {
                // Leadership went between the proposer's look and now: the watches were reset with it.
                batch.Watches!.Failed = true;
                batch.Replies.WriteNullArray();
                return false;
            }
            using var txn = _env.BeginRead();
            return _events.Watches.BeginExec(batch, _keyspace, txn, nowMs);
        }
    }
}
