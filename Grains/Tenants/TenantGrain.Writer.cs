using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants;

public sealed partial class TenantGrain
{
    /// <summary>Most batches committed together; bounds the latency one group commit adds.</summary>
    private const int MaxBatchesPerCommit = 1024;

    private void WriterLoop()
    {
        var group = new List<CommandBatch>(64);
        // Batches committed but not yet durable: in always mode the environment defers the meta page's
        // sync (MDB_NOMETASYNC), so a group becomes durable with the next fsync of the data file, which
        // the next group's commit or an explicit sync provides. Under load that is one fsync per group
        // instead of two; a group is never acknowledged before it is on disk.
        var awaitingSync = new List<CommandBatch>(64);
        var positions = new List<long>(64);
        // The first sweep waits one interval, like every later one.
        var nextSweep = Environment.TickCount64 + (long)_options.SweepInterval.TotalMilliseconds;
        var wrote = false;
        var deferMeta = _options.Durability == DurabilityMode.Always;
        while (true)
        {
            if (_mailbox.IsEmpty && awaitingSync.Count == 0)
            {
                if (_stopping)
                {
                    break;
                }
                _wake.Wait(IdleWait());
                _wake.Reset();
            }
            EndBlockedWaits(awaitingSync);
            while (group.Count < MaxBatchesPerCommit && _mailbox.TryDequeue(out var batch))
            {
                group.Add(batch);
            }
            if (group.Count > 0)
            {
                var committed = CommitGroup(group, positions);
                wrote = true;
                if (committed && !deferMeta)
                {
                    // Notifications go out before the replies, so a client that hears its reply and then
                    // publishes is heard after them, as with Redis.
                    _events.PublishCommitted();
                    CompleteAll(group);
                }
                else if (committed)
                {
                    // This commit's data sync also flushed the previous group's meta page.
                    _events.DeferCommitted();
                    CompleteAll(awaitingSync);
                    (group, awaitingSync) = (awaitingSync, group);
                }
                group.Clear();
            }
            if (awaitingSync.Count > 0 && _mailbox.IsEmpty)
            {
                SyncOrFail(awaitingSync);
            }
            var now = Environment.TickCount64;
            if (now >= nextSweep)
            {
                nextSweep = now + (long)_options.SweepInterval.TotalMilliseconds;
                wrote |= Sweep();
            }
            if (wrote)
            {
                Interlocked.Increment(ref _committedRounds);
                wrote = false;
            }
        }
    }

    /// <summary>
    /// Periodic durability (appendfsync everysec): once a second, flushes every commit made since the last
    /// flush. It runs beside the writer, as Redis' background fsync does, because flushing a second of
    /// scattered page writes can take a good part of that second and the writer would stand still meanwhile.
    /// </summary>
    private void SyncLoop()
    {
        var synced = 0L;
        while (!_stopSyncer.Wait(TimeSpan.FromSeconds(1)))
        {
            var committed = Interlocked.Read(ref _committedRounds);
            if (committed != synced)
            {
                _env.Sync();
                synced = committed;
            }
        }
    }

    private void SyncOrFail(List<CommandBatch> batches)
    {
        try
        {
            _env.Sync();
        }
        catch (Exception error)
        {
            foreach (var batch in batches)
            {
                batch.Fail(error);
            }
            batches.Clear();
            _events.DropDeferred();
            return;
        }
        _events.PublishDeferred();
        CompleteAll(batches);
    }

    private static void CompleteAll(List<CommandBatch> batches)
    {
        foreach (var batch in batches)
        {
            batch.Complete();
        }
        batches.Clear();
    }

    /// <summary>Runs and commits a group; true on success. On failure every batch of the group is failed.</summary>
    private bool CommitGroup(List<CommandBatch> group, List<long> positions)
    {
        positions.Clear();
        foreach (var batch in group)
        {
            positions.Add(batch.Replies.Position);
        }
        var nowMs = _options.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var commands = 0;
        var expiredBefore = _keyspace.ExpiredKeys;
        while (true)
        {
            try
            {
                using var txn = _env.BeginWrite();
                _events.Begin();
                var ctx = new CommandContext
                {
                    Keyspace = _keyspace,
                    Txn = txn,
                    Write = txn,
                    NowMs = nowMs,
                    Cursors = _cursors,
                    Random = CommandContext.SeededRandom(nowMs, (ulong)_commits),
                    Events = _events,
                    Blocking = Blocked,
                };
                commands = 0;
                foreach (var batch in group)
                {
                    ctx.Batch = batch;
                    ctx.Reply = batch.Replies;
                    if (batch.ExecCount >= 0 && !_events.Watches.BeginExec(batch, _keyspace, txn, nowMs))
                    {
                        continue;
                    }
                    for (var i = 0; i < batch.Count; i++)
                    {
                        ctx.Command = batch[i];
                        TenantStateMachine.Execute(ref ctx);
                        // Redis serves blocked clients after each command, or after EXEC for a transaction.
                        if (Blocked.HasReady && !batch.IsTransaction)
                        {
                            Blocked.Serve(ref ctx);
                        }
                    }
                    if (Blocked.HasReady)
                    {
                        Blocked.Serve(ref ctx);
                    }
                    commands += batch.Count;
                }
                txn.Commit();
                Blocked.CommitRound(group);
                break;
            }
            catch (LmdbMapFullException)
            {
                // The transaction is gone; grow the map and run the same commands again from scratch.
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Replies.Rewind(positions[i]);
                }
                _events.Rollback();
                _keyspace.RestoreExpiredKeys(expiredBefore);
                Blocked.AbortRound();
                ReloadAfterAbort();
                if (!TryGrow(group))
                {
                    return false;
                }
            }
            catch (Exception error)
            {
                _events.Rollback();
                Blocked.AbortRound();
                _keyspace.RestoreExpiredKeys(expiredBefore);
                ReloadAfterAbort();
                foreach (var batch in group)
                {
                    batch.Fail(error);
                }
                return false;
            }
        }
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _commandsWritten, commands);
        Interlocked.Exchange(ref _lastCommitUnixSeconds, _options.Time.GetUtcNow().ToUnixTimeSeconds());
        return true;
    }

    /// <summary>Grows the map; when it cannot (the disk is full), fails the group and returns false.</summary>
    private bool TryGrow(List<CommandBatch> group)
    {
        try
        {
            _env.Grow();
            return true;
        }
        catch (LmdbException error)
        {
            foreach (var batch in group)
            {
                batch.Fail(error);
            }
            return false;
        }
    }

    /// <summary>An aborted transaction's id allocations did not happen: take the counter from the committed state.</summary>
    private void ReloadAfterAbort()
    {
        using var read = _env.BeginRead();
        _keyspace.ReloadCollectionCounter(read);
    }

    /// <summary>Active expiry: removes keys whose time is up, a bounded number per round. True when it wrote.</summary>
    private bool Sweep()
    {
        var wrote = false;
        while (true)
        {
            var expiredBefore = _keyspace.ExpiredKeys;
            try
            {
                using var txn = _env.BeginWrite();
                _events.Begin();
                var removed = _keyspace.SweepExpired(txn, _options.Time.GetUtcNow().ToUnixTimeMilliseconds(), _options.SweepLimit);
                if (removed == 0)
                {
                    return wrote;
                }
                txn.Commit();
                // Expiry is not acknowledged to anyone: its notifications go out as soon as it is committed.
                _events.PublishCommitted();
                wrote = true;
                if (removed < _options.SweepLimit || !_mailbox.IsEmpty)
                {
                    return wrote;
                }
            }
            catch (LmdbMapFullException)
            {
                _events.Rollback();
                _keyspace.RestoreExpiredKeys(expiredBefore);
                ReloadAfterAbort();
                try
                {
                    _env.Grow();
                }
                catch (LmdbException)
                {
                    // No room to grow: the expired keys stay until a later sweep or a write finds them.
                    return wrote;
                }
            }
        }
    }
}
