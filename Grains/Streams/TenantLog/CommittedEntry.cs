using IceFire.Grains.Tenants;

namespace IceFire.Grains.Streams;

/// <summary>
/// One committed entry of a tenant's Raft log, as the <c>tenant-log</c> stream delivers it (STREAMS.md). Every replica
/// of the tenant holds the same entries at the same indexes; <see cref="Data"/> is the entry as the log stores it
/// (REPLICATION.md, the entry format).
/// </summary>
/// <param name="Tenant">The tenant whose log it is.</param>
/// <param name="Index">The entry's log index, which is also its sequence token (<see cref="LogIndexToken"/>).</param>
/// <param name="Term">The term of the leader that appended it.</param>
/// <param name="Data">The entry's bytes: a batch of commands, an expiry sweep or a SQL unit, with the leader's clock.</param>
/// <param name="Changes">
/// What applying the entry did to keys, for subscribers that asked for changes; only on entries delivered as this
/// silo's replica applied them. An entry read back from the log (a subscription that starts at an earlier index, or a
/// subscriber that fell behind) carries its commands only: null.
/// </param>
/// <param name="AppliedAsLeader">True when this silo's replica led the group as it applied the entry.</param>
[GenerateSerializer, Immutable, Alias("icefire.tenant-log.entry")]
public sealed record CommittedEntry(
    [property: Id(0)] string Tenant,
    [property: Id(1)] ulong Index,
    [property: Id(2)] ulong Term,
    [property: Id(3)] byte[] Data,
    [property: Id(4)] KeyChange[]? Changes,
    [property: Id(5)] bool AppliedAsLeader)
{
    /// <summary>The entry's position, to resume a subscription after it.</summary>
    public LogIndexToken Token => new(Index);
}

/// <summary>A key that an entry's apply changed, with the keyspace event Redis would publish for it.</summary>
[GenerateSerializer, Immutable, Alias("icefire.tenant-log.key-change")]
public readonly record struct KeyChange(
    [property: Id(0)] int Db,
    [property: Id(1)] KeyEvent Event,
    [property: Id(2)] byte[] Key);
