using System.Buffers.Binary;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Raft;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// Applying committed entries: every replica runs the same commands with the entry's clock in one write transaction
/// per batch of entries. What differs on the leader touches no data: its connections get their replies, watches are
/// touched, blocked clients park, and keyspace notifications are published.
/// </summary>
public sealed partial class ReplicatedTenant
{
    private long _commits;
    private long _commandsWritten;
    private long _lastCommitUnixSeconds;

    /// <inheritdoc />
    public void Apply(Entry entry) => ApplyBatch([entry]);

    /// <inheritdoc />
    public void ApplyBatch(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var round = new ApplyRound();
        lock (_leaderLock)
        {
            while (true)
            {
                round.Restart();
                var expiredBefore = _keyspace.ExpiredKeys;
                try
                {
                    ApplyInTransaction(entries, round);
                    break;
                }
                catch (LmdbMapFullException)
                {
                    // Nothing of the transaction happened: drop the replies written so far and run it again in a bigger map.
                    foreach (var (batch, position) in round.Positions)
                    {
                        batch.Replies.Rewind(position);
                    }
                    _events.Rollback();
                    _blocked.AbortRound();
                    _keyspace.RestoreExpiredKeys(expiredBefore);
                    ReloadCollectionCounter();
                    _env.Grow();
                }
            }
            if (round.Last > _applied)
            {
                Volatile.Write(ref _applied, round.Last);
                Volatile.Write(ref _appliedTerm, round.LastTerm);
            }
            if (round.Entries > 0)
            {
                Interlocked.Add(ref _commits, round.Entries);
                Interlocked.Add(ref _commandsWritten, round.Commands);
                Interlocked.Exchange(ref _lastCommitUnixSeconds, round.LastNowMs / 1000);
            }
            // The log's subscribers (keyspace notifications among them) get the entries before the writers get replies.
            _events.PublishCommitted();
            if (round.Leader)
            {
                _blocked.CommitReplicatedRound(round.Answered, round.Serving, round.ServeNext);
            }
        }
        if (round.ServeNext.Count > 0)
        {
            // Before the replies: whatever the pushing client sends next is ordered after the serve its push caused.
            ProposeServes(round.ServeNext);
        }
        foreach (var batch in round.Answered)
        {
            batch.Complete();
        }
        if (round.SweepFull)
        {
            Interlocked.Exchange(ref _sweepAgain, 1);
            _loop.Wake();
        }
        Kick();
    }

    private void ApplyInTransaction(IReadOnlyList<Entry> entries, ApplyRound round)
    {
        using var txn = _env.BeginWrite();
        _events.Begin();
        round.Leader = _isLeader;
        var last = _applied;
        foreach (var entry in entries)
        {
            if (entry.Index <= last)
            {
                // Applied before a restart: the group hands committed entries again from its last snapshot.
                continue;
            }
            last = entry.Index;
            round.LastTerm = entry.Term;
            ApplyEntry(txn, entry, round);
            _events.Applied(entry, round.Leader);
        }
        Span<byte> applied = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(applied, last);
        txn.Put(_replica, AppliedKey, applied);
        txn.Commit();
        round.Last = last;
    }

    /// <summary>Applies one committed entry in the round's write transaction.</summary>
    private void ApplyEntry(LmdbWriteTransaction txn, Entry entry, ApplyRound round)
    {
        if (entry.Type != EntryType.Normal || entry.Data.Length == 0)
        {
            return;
        }
        var header = TenantEntryCodec.ReadHeader(entry.Data);
        round.Entries++;
        round.LastNowMs = header.NowMs;
        var serve = false;
        var local = header.Origin == _nodeId ? Claim(round, header.Sequence, out serve) : null;
        if (header.Kind == TenantEntryKind.Sql)
        {
            ApplySql(entry.Index, entry.Data);
            return;
        }
        if (header.Kind == TenantEntryKind.ExpirySweep)
        {
            var limit = TenantEntryCodec.DecodeSweep(entry.Data);
            round.SweepFull |= _keyspace.SweepExpired(txn, header.NowMs, limit) >= limit && round.Leader;
            return;
        }
        var ctx = new CommandContext
        {
            Keyspace = _keyspace,
            Txn = txn,
            Write = txn,
            NowMs = header.NowMs,
            Cursors = _cursors,
            Random = CommandContext.SeededRandom(header.NowMs, entry.Index),
            Events = _events,
        };
        if (local is not null && serve)
        {
            if (ServeOnLeader(round, local))
            {
                ctx.Blocking = _blocked;
                // Only the blocking command, each batch's last, is in the entry.
                foreach (var batch in local)
                {
                    round.Positions.Add((batch, batch.Replies.Position));
                    ctx.Batch = batch;
                    ctx.Reply = batch.Replies;
                    ctx.Command = batch[batch.Count - 1];
                    TenantStateMachine.Execute(ref ctx);
                    round.Commands++;
                }
                return;
            }
            local = null;
        }
        // Only a batch whose client waits here may park: one decoded from another leader's entry, applied by this
        // replica after it was elected, has nobody to answer.
        ctx.Blocking = round.Leader && local is not null ? _blocked : null;
        List<CommandBatch> batches;
        if (local is not null)
        {
            batches = local;
            foreach (var batch in local)
            {
                round.Positions.Add((batch, batch.Replies.Position));
                round.Answered.Add(batch);
            }
        }
        else
        {
            batches = [];
            TenantEntryCodec.Decode(entry.Data, _ => _discard, batches);
        }
        foreach (var batch in batches)
        {
            ctx.Batch = batch;
            ctx.Reply = batch.Replies;
            for (var i = 0; i < batch.Count; i++)
            {
                ctx.Command = batch[i];
                TenantStateMachine.Execute(ref ctx);
            }
            round.Commands += batch.Count;
        }
    }

    /// <summary>
    /// This replica proposed the entry: takes its waiting batches, once for the whole apply (a run again after the map
    /// grew finds them here). Null when they were failed meanwhile (the proposal's outcome was reported unknown).
    /// </summary>
    private List<CommandBatch>? Claim(ApplyRound round, ulong sequence, out bool serve)
    {
        if (round.Claimed.TryGetValue(sequence, out var claimed))
        {
            serve = claimed.Serve;
            return claimed.Batches;
        }
        if (_inflight.TryRemove(sequence, out var local))
        {
            serve = _serves.TryRemove(sequence, out _);
            round.Claimed[sequence] = (local, serve);
            return local;
        }
        serve = false;
        return null;
    }

    /// <summary>
    /// A serve entry of this replica: true when the leader answers it (every client in it still waits for its serve);
    /// otherwise the entry runs as on a follower and any client still marked fails.
    /// </summary>
    private bool ServeOnLeader(ApplyRound round, List<CommandBatch> local)
    {
        var all = round.Leader;
        foreach (var batch in local)
        {
            all &= _blocked.IsProposed(batch);
        }
        if (all)
        {
            round.Serving.AddRange(local);
            return true;
        }
        foreach (var batch in local)
        {
            _blocked.Fail(batch, new InvalidOperationException($"tenant {Name}: a blocked command was served after node {_nodeId} lost its clients"));
        }
        return false;
    }

    /// <summary>What one apply did, kept across a run again after the map grew.</summary>
    private sealed class ApplyRound
    {
        public Dictionary<ulong, (List<CommandBatch> Batches, bool Serve)> Claimed { get; } = [];

        public List<CommandBatch> Answered { get; } = [];

        public List<CommandBatch> Serving { get; } = [];

        public List<CommandBatch> ServeNext { get; } = [];

        public List<(CommandBatch Batch, long Position)> Positions { get; } = [];

        public bool Leader { get; set; }

        public ulong Last { get; set; }

        public ulong LastTerm { get; set; }

        public long LastNowMs { get; set; }

        public int Entries { get; set; }

        public int Commands { get; set; }

        public bool SweepFull { get; set; }

        public void Restart()
        {
            Answered.Clear();
            Serving.Clear();
            Positions.Clear();
            Entries = 0;
            Commands = 0;
            SweepFull = false;
        }
    }
}
