using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Streams;

/// <summary>
/// Implemented by a tenant-log observer that wants <see cref="CommittedEntry.Changes"/>: the apply records a change
/// only while some subscriber wants its class, so a tenant with no such subscriber allocates nothing for them.
/// </summary>
public interface IKeyChangeFilter
{
    /// <summary>True when changes of <paramref name="eventClass"/> (one class of notify-keyspace-events) are wanted now.</summary>
    bool WantsChanges(KeyspaceEventFlags eventClass);

    /// <summary>
    /// True when the observer has no use for an entry that changed nothing it wants: then the apply builds entries only
    /// when something changed or another subscriber wants every entry.
    /// </summary>
    bool ChangesOnly => false;
}
