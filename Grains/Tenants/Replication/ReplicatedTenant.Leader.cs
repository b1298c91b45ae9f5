using IceFire.Grains.Interfaces;
using IceFire.Raft;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// What only the leader keeps: watches, blocked clients and notifications (<see cref="TenantEvents"/>,
/// <see cref="BlockedClients"/>), guarded by one lock that the apply holds for its whole transaction, and a thread
/// that ends blocked waits on time or request and starts expiry sweeps. The group tells the replica its role
/// (<see cref="RoleChanged"/>) on its turn, before it applies the entries of that turn.
/// </summary>
public sealed partial class ReplicatedTenant
{
    // Versions of a term's watches start at term << 40, so a watch made under an earlier leader never matches.
    private const int TermShift = 40;

    private readonly object _leaderLock = new();
    private readonly TenantEvents _events;
    private readonly BlockedClients _blocked;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly List<CommandBatch> _noSync = [];
    private Thread? _leaderLoop;
    private volatile bool _stopping;
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
                _blocked.FailAll(new RaftProposalException(ProposeStatus.NotLeader, 0,
                    $"tenant {Name}: node {_nodeId} lost the leadership while the command waited"));
            }
            if (leader)
            {
                Volatile.Write(ref _leaderTerm, term);
            }
            Volatile.Write(ref _isLeader, leader);
        }
        _wake.Set();
        // Queued EXECs stalled for their watch check fail now rather than wait for an apply.
        Kick();
    }

    private void StartLeaderLoop()
    {
        if (_leaderLoop is not null)
        {
            return;
        }
        _leaderLoop = new Thread(LeaderLoop) { IsBackground = true, Name = $"tenant-leader:{Name}" };
        _leaderLoop.Start();
    }

    /// <summary>Stops the loop and fails every blocked client; the tenant is closing.</summary>
    private void StopLeaderLoop()
    {
        _stopping = true;
        _wake.Set();
        _leaderLoop?.Join();
        lock (_leaderLock)
        {
            _blocked.FailAll(new ObjectDisposedException($"tenant {Name} is shutting down"));
        }
    }

    /// <summary>Ends blocked waits that timed out or were asked to end, and sweeps expired keys, on the leader.</summary>
    private void LeaderLoop()
    {
        var nextSweep = Environment.TickCount64 + (long)_options.SweepInterval.TotalMilliseconds;
        while (!_stopping)
        {
            TimeSpan wait;
            lock (_leaderLock)
            {
                var nowMs = NowMs;
                _blocked.EndWaits(nowMs, _noSync);
                wait = _blocked.WaitBudget(_options.SweepInterval, nowMs);
            }
            var now = Environment.TickCount64;
            if ((Volatile.Read(ref _sweepAgain) == 1 && Volatile.Read(ref _sweeping) == 0) || now >= nextSweep)
            {
                Interlocked.Exchange(ref _sweepAgain, 0);
                nextSweep = now + (long)_options.SweepInterval.TotalMilliseconds;
                if (IsLeader)
                {
                    TrySweep();
                }
            }
            var untilSweep = TimeSpan.FromMilliseconds(Math.Max(0, nextSweep - Environment.TickCount64));
            _wake.Wait(untilSweep < wait ? untilSweep : wait);
            _wake.Reset();
        }
    }
}
