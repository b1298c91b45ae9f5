using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// The leader's proposer: turns queued write batches, re-proposed blocked commands and expiry sweeps into entries.
/// Every proposal is posted to the group under one lock, so the log holds entries in the order this lock saw them;
/// that is what lets an EXEC under WATCH be checked here, before it is proposed (REPLICATION.md).
/// </summary>
public sealed partial class ReplicatedTenant
{
    private const int MaxBatchesPerEntry = 1024;

    private readonly object _proposeLock = new();
    // Proposals whose batches are blocked clients served again: their entry runs only each batch's last command.
    private readonly ConcurrentDictionary<ulong, byte> _serves = new();

    private long NowMs => _options.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Drains the queue into entries: every batch waiting when a proposal is made rides in it, so concurrent clients
    /// share one log append and one replication round. Proposals are pipelined; none waits for the previous one,
    /// except an EXEC under WATCH, which waits until everything proposed before it has been applied.
    /// </summary>
    private void Propose(RaftGroup group)
    {
        var answered = new List<CommandBatch>();
        var refused = new List<CommandBatch>();
        while (true)
        {
            var batches = new List<CommandBatch>();
            var stalled = false;
            lock (_proposeLock)
            {
                var nowMs = NowMs;
                while (batches.Count < MaxBatchesPerEntry && _queue.TryPeek(out var batch))
                {
                    if (batch.ExecCount >= 0 && batch.Watches is not null)
                    {
                        if (batches.Count > 0)
                        {
                            break; // What came before it goes first, in its own entry.
                        }
                        if (!Volatile.Read(ref _isLeader))
                        {
                            _queue.TryDequeue(out _);
                            refused.Add(batch);
                            continue;
                        }
                        if (!WatchesCheckable)
                        {
                            stalled = true;
                            break;
                        }
                        _queue.TryDequeue(out _);
                        if (!CheckWatches(batch, nowMs))
                        {
                            answered.Add(batch);
                            continue;
                        }
                    }
                    else
                    {
                        _queue.TryDequeue(out _);
                    }
                    batches.Add(batch);
                }
                if (batches.Count > 0)
                {
                    ProposeLocked(group, batches, batches, nowMs, serve: false);
                }
            }
            Settle(answered, refused, group);
            if (batches.Count > 0)
            {
                continue;
            }
            // A full fence: the apply that makes the watches checkable, or queues more, must see the flag down or be seen.
            Interlocked.Exchange(ref _proposing, 0);
            if (stalled ? !WatchesCheckable : _queue.IsEmpty)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _proposing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private void Settle(List<CommandBatch> answered, List<CommandBatch> refused, RaftGroup group)
    {
        foreach (var batch in answered)
        {
            batch.Complete();
        }
        answered.Clear();
        foreach (var batch in refused)
        {
            batch.Fail(NotLeader(group));
        }
        refused.Clear();
    }

    private RaftProposalException NotLeader(RaftGroup group) =>
        new(ProposeStatus.NotLeader, group.Leader, $"tenant {Name}: node {_nodeId} is not the leader (leader {group.Leader})");

    /// <summary>Resumes the proposer when it has work and is not running (an apply made a stalled EXEC checkable).</summary>
    private void Kick()
    {
        if (!_queue.IsEmpty && _group is { } group && Interlocked.CompareExchange(ref _proposing, 1, 0) == 0)
        {
            Propose(group);
        }
    }

    /// <summary>
    /// Encodes <paramref name="encoded"/> and posts it; <paramref name="waiting"/> are the batches its apply answers.
    /// Called under <see cref="_proposeLock"/>.
    /// </summary>
    private void ProposeLocked(RaftGroup group, List<CommandBatch> waiting, List<CommandBatch> encoded, long nowMs, bool serve)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        byte[] entry;
        try
        {
            entry = TenantEntryCodec.Encode(new TenantEntryHeader(nowMs, _nodeId, sequence), encoded);
        }
        catch (Exception error)
        {
            FailProposal(serve, waiting, error);
            return;
        }
        if (serve)
        {
            _serves[sequence] = 0;
        }
        _inflight[sequence] = waiting;
        group.ProposeAsync(entry).ContinueWith(
            (proposal, state) =>
            {
                var (tenant, seq) = ((ReplicatedTenant, ulong))state!;
                // Applied batches were answered by the apply; only a proposal that never applied is failed here.
                if (proposal.IsFaulted && tenant._inflight.TryRemove(seq, out var lost))
                {
                    tenant.FailProposal(tenant._serves.TryRemove(seq, out _), lost, proposal.Exception!.InnerException!);
                    tenant.Kick();
                }
            },
            (this, sequence),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void FailProposal(bool serve, List<CommandBatch> batches, Exception error)
    {
        if (!serve)
        {
            Fail(batches, error);
            return;
        }
        lock (_leaderLock)
        {
            foreach (var batch in batches)
            {
                // Unless leadership loss failed it first.
                _blocked.Fail(batch, error);
            }
        }
    }

    private static void Fail(List<CommandBatch> batches, Exception error)
    {
        foreach (var batch in batches)
        {
            batch.Fail(error);
        }
    }
}
