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
        var positions = new List<long>(64);
        var nextSweep = 0L;
        var lastSync = Environment.TickCount64;
        var dirtySinceSync = false;
        while (true)
        {
            if (_mailbox.IsEmpty)
            {
                if (_stopping)
                {
                    break;
                }
                _wake.Wait(_options.SweepInterval);
                _wake.Reset();
            }
            while (group.Count < MaxBatchesPerCommit && _mailbox.TryDequeue(out var batch))
            {
                group.Add(batch);
            }
            if (group.Count > 0)
            {
                CommitGroup(group, positions);
                dirtySinceSync = true;
                group.Clear();
            }
            var now = Environment.TickCount64;
            if (now >= nextSweep)
            {
                nextSweep = now + (long)_options.SweepInterval.TotalMilliseconds;
                dirtySinceSync |= Sweep();
            }
            if (_options.Durability == DurabilityMode.Periodic && dirtySinceSync && now - lastSync >= 1000)
            {
                // appendfsync everysec: one fsync a second at most, covering every commit since the last.
                _env.Sync();
                lastSync = now;
                dirtySinceSync = false;
            }
        }
    }

    private void CommitGroup(List<CommandBatch> group, List<long> positions)
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
                var ctx = new CommandContext
                {
                    Keyspace = _keyspace,
                    Txn = txn,
                    Write = txn,
                    NowMs = nowMs,
                    Cursors = _cursors,
                };
                commands = 0;
                foreach (var batch in group)
                {
                    ctx.Batch = batch;
                    ctx.Reply = batch.Replies;
                    for (var i = 0; i < batch.Count; i++)
                    {
                        ctx.Command = batch[i];
                        TenantStateMachine.Execute(ref ctx);
                    }
                    commands += batch.Count;
                }
                txn.Commit();
                break;
            }
            catch (LmdbMapFullException)
            {
                // The transaction is gone; grow the map and run the same commands again from scratch.
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Replies.Rewind(positions[i]);
                }
                _keyspace.RestoreExpiredKeys(expiredBefore);
                _env.Grow();
            }
            catch (Exception error)
            {
                _keyspace.RestoreExpiredKeys(expiredBefore);
                foreach (var batch in group)
                {
                    batch.Fail(error);
                }
                return;
            }
        }
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _commandsWritten, commands);
        Interlocked.Exchange(ref _lastCommitUnixSeconds, _options.Time.GetUtcNow().ToUnixTimeSeconds());
        foreach (var batch in group)
        {
            batch.Complete();
        }
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
                var removed = _keyspace.SweepExpired(txn, _options.Time.GetUtcNow().ToUnixTimeMilliseconds(), _options.SweepLimit);
                if (removed == 0)
                {
                    return wrote;
                }
                txn.Commit();
                wrote = true;
                if (removed < _options.SweepLimit || !_mailbox.IsEmpty)
                {
                    return wrote;
                }
            }
            catch (LmdbMapFullException)
            {
                _keyspace.RestoreExpiredKeys(expiredBefore);
                _env.Grow();
            }
        }
    }
}
