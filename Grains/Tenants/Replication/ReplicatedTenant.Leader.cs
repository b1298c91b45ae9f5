using IceFire.Grains.Interfaces;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// What only the leader keeps: watches, blocked clients and notifications (<see cref="TenantEvents"/>,
/// <see cref="BlockedClients"/>), guarded by one lock that the apply holds for its whole transaction, and a loop
/// on the thread pool that ends blocked waits on time or request and starts expiry sweeps. The group tells the replica its role
/// (<see cref="RoleChanged"/>) on its turn, before it applies the entries of that turn.
/// </summary>
public sealed partial class ReplicatedTenant
{
    // Versions of a term's watches start at term << 40, so a watch made under an earlier leader never matches.
    private const int TermShift = 40;

    private readonly object _leaderLock = new();
    private readonly TenantEvents _events;
    private readonly BlockedClients _blocked;
    private readonly ThreadPoolLoop _loop;
    private readonly List<CommandBatch> _noSync = [];
    private long _nextSweep;
    private bool _isLeader;
    private ulong _leaderTerm;
    private ulong _appliedTerm;

    /// <summary>True while this replica leads its group, as the group last told it.</summary>
    public bool IsLeader => Volatile.Read(ref _isLeader);

    /// <inheritdoc />
    /// <remarks>
    /// Becoming leader or losing leadership forgets every watch (their EXECs answer a null array) and fails every
    /// blocked client with <see cref="RaftProposalException"/> NotLeader, so that routing retries it on the
    /// new leader instead of leaving it waiting on a replica that can no longer serve it.
    /// </remarks>
    public void RoleChanged(RaftRole role, ulong term)
    {
        var leader = role == RaftRole.Leader;
        lock (_leaderLock)
        {
            _events.Watches.Reset((long)Math.Min(term, (1UL << (62 - TermShift)) - 1) << TermShift);
            if (_isLeader && !leader)
            {
                Volatile.Read(ref _sqlTenant)?.AbortWrites();
                _blocked.FailAll(new RaftProposalException(ProposeStatus.NotLeader, 0,
                    $"tenant {Name}: node {_nodeId} lost the leadership while the command waited"));
            }
            if (leader)
            {
                Volatile.Write(ref _leaderTerm, term);
            }
            Volatile.Write(ref _isLeader, leader);
        }
        _loop.Wake();
        // Queued EXECs stalled for their watch check fail now rather than wait for an apply.
        Kick();
    }

    private void StartLeaderLoop()
    {
        _nextSweep = Environment.TickCount64 + (long)_options.SweepInterval.TotalMilliseconds;
        _loop.Start(_options.SweepInterval);
    }

    /// <summary>Stops the loop and fails every blocked client; the tenant is closing.</summary>
    private void StopLeaderLoop()
    {
        // Waits out a turn in progress; none starts after this.
        _loop.Stop();
        lock (_leaderLock)
        {
            _blocked.FailAll(new ObjectDisposedException($"tenant {Name} is shutting down"));
        }
    }

    /// <summary>
    /// One turn of the leader loop: ends blocked waits that timed out or were asked to end, and on the leader looks for
    /// expired keys to sweep. It runs again when woken (a role change, a blocked client, a sweep to repeat) or when the
    /// next deadline comes: the nearest blocked client's, else the next sweep, which comes every sweep interval while
    /// keys with a time to live exist and every second otherwise. A follower with no blocked client sleeps until woken.
    /// </summary>
    private TimeSpan LeaderTurn()
    {
        TimeSpan wait;
        bool anyBlocked;
        lock (_leaderLock)
        {
            var nowMs = NowMs;
            _blocked.EndWaits(nowMs, _noSync);
            wait = _blocked.WaitBudget(_options.SweepInterval, nowMs);
            anyBlocked = _blocked.Count > 0;
        }
        var now = Environment.TickCount64;
        var leader = IsLeader;
        if (leader && ((Volatile.Read(ref _sweepAgain) == 1 && Volatile.Read(ref _sweeping) == 0) || now >= _nextSweep))
        {
            Interlocked.Exchange(ref _sweepAgain, 0);
            var next = TrySweep();
            // Nothing lives on a timer: look again in a second (a read finds an expired key expired regardless).
            var interval = next == 0 ? Math.Max((long)_options.SweepInterval.TotalMilliseconds, 1000) : (long)_options.SweepInterval.TotalMilliseconds;
            _nextSweep = now + interval;
        }
        if (leader)
        {
            var untilSweep = TimeSpan.FromMilliseconds(Math.Max(0, _nextSweep - Environment.TickCount64));
            wait = untilSweep < wait || !anyBlocked ? untilSweep : wait;
        }
        else if (!anyBlocked)
        {
            wait = Timeout.InfiniteTimeSpan;
        }
        return wait;
    }
}
