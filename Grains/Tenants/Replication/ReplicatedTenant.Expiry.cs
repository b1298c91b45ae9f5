namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// Active expiry on a replicated tenant: only the leader looks for keys whose time is up, and it removes them through
/// the log, as an expiry sweep entry stamped with its clock. Every replica runs the same sweep on the same state with
/// that clock, so all remove the same keys; a follower never removes a key on its own.
/// </summary>
public sealed partial class ReplicatedTenant
{
    private int _sweeping;
    private int _sweepAgain;

    /// <summary>
    /// Leader loop: proposes one sweep when a key has expired and no sweep is in the log yet. Returns the earliest
    /// expiry time of any key (Unix ms), 0 when no key has a time to live, or -1 when it did not look.
    /// </summary>
    private long TrySweep()
    {
        if (_group is not { } group || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return -1;
        }
        var nowMs = NowMs;
        long next;
        using (var txn = _env.BeginRead())
        {
            next = _keyspace.NextExpiry(txn);
        }
        if (next == 0 || next > nowMs)
        {
            Volatile.Write(ref _sweeping, 0);
            return next;
        }
        lock (_proposeLock)
        {
            var sequence = Interlocked.Increment(ref _sequence);
            var entry = TenantEntryCodec.EncodeSweep(new TenantEntryHeader(nowMs, _nodeId, sequence), _options.SweepLimit);
            // Tracked like any proposal, so an EXEC under WATCH waits for it too.
            _inflight[sequence] = [];
            group.ProposeAsync(entry).ContinueWith(
                (proposal, state) =>
                {
                    var (tenant, seq) = ((ReplicatedTenant, ulong))state!;
                    if (proposal.IsFaulted && tenant._inflight.TryRemove(seq, out _))
                    {
                        tenant.Kick();
                    }
                    Volatile.Write(ref tenant._sweeping, 0);
                    tenant._loop.Wake();
                },
                (this, sequence),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
        return next;
    }
}
