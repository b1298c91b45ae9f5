namespace IceFire.Grains.Cluster;

/// <summary>
/// Which members of the cluster have an active silo, as Orleans' membership last said, and since when each other member
/// has had none: what the system group's leader needs to declare a member down once its silo has been gone for the
/// replica-move delay. Times are monotonic milliseconds (<see cref="Environment.TickCount64"/>). Thread-safe.
/// </summary>
internal sealed class MemberLiveness(ulong self)
{
    private readonly Lock _lock = new();

    /// <summary>Members with no active silo in the last view, and since when.</summary>
    private readonly Dictionary<ulong, long> _inactiveSince = [];

    /// <summary>Members seen active at least once (since they were last down).</summary>
    private readonly HashSet<ulong> _everActive = [];

    /// <summary>Members that were down when last looked at.</summary>
    private readonly HashSet<ulong> _wasDown = [];

    /// <summary>The nodes with an active silo in the last view; null until the first view arrives.</summary>
    private IReadOnlySet<ulong>? _active;

    private long _leadingSince;

    /// <summary>True when <paramref name="member"/> is this node or had an active silo in the last view.</summary>
    public bool IsActive(ulong member) => member == self || Volatile.Read(ref _active)?.Contains(member) == true;

    /// <summary>Takes a new view of the active nodes; returns the members of <paramref name="members"/> that left it.</summary>
    public List<ulong> Observe(IReadOnlySet<ulong> active, IEnumerable<ClusterMemberInfo> members, long now)
    {
        ArgumentNullException.ThrowIfNull(active);
        var gone = new List<ulong>();
        lock (_lock)
        {
            Volatile.Write(ref _active, active);
            _everActive.UnionWith(active);
            foreach (var member in members)
            {
                if (member.Id == self || active.Contains(member.Id))
                {
                    _inactiveSince.Remove(member.Id);
                }
                else if (_inactiveSince.TryAdd(member.Id, now))
                {
                    gone.Add(member.Id);
                }
            }
        }
        return gone;
    }

    /// <summary>
    /// The members of <paramref name="members"/> with no active silo, each with how long it has been silent, counted from
    /// when this node began to lead at the earliest (<paramref name="leading"/>), and whether it was ever seen active.
    /// Empty before the first view, and while this node does not lead.
    /// </summary>
    public List<(ulong Id, long SilentForMs, bool Seen)> Inactive(IEnumerable<ClusterMemberInfo> members, bool leading, long now)
    {
        var inactive = new List<(ulong Id, long SilentForMs, bool Seen)>();
        lock (_lock)
        {
            if (_active is not { } active)
            {
                return inactive;
            }
            if (!leading)
            {
                _leadingSince = 0;
            }
            else if (_leadingSince == 0)
            {
                _leadingSince = now;
            }
            foreach (var member in members)
            {
                if (member.Down)
                {
                    _wasDown.Add(member.Id);
                }
                else if (_wasDown.Remove(member.Id))
                {
                    // Back from down: its clock starts afresh, whatever the view said while it was away, and it has
                    // the grace of a starting silo until its new silo is seen active.
                    _everActive.Remove(member.Id);
                    if (!active.Contains(member.Id))
                    {
                        _inactiveSince[member.Id] = now;
                    }
                }
                if (member.Id != self && !active.Contains(member.Id))
                {
                    // A member the view never held (it joined since) is inactive from now.
                    _inactiveSince.TryAdd(member.Id, now);
                    if (leading)
                    {
                        inactive.Add((member.Id, now - Math.Max(_inactiveSince[member.Id], _leadingSince), _everActive.Contains(member.Id)));
                    }
                }
            }
        }
        return inactive;
    }
}
