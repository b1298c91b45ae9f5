using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants;

/// <summary>When a write is durable relative to its reply.</summary>
public enum DurabilityMode
{
    /// <summary>fsync before the reply (Redis' appendfsync always).</summary>
    Always = 0,

    /// <summary>fsync at most every second; a machine crash may lose the last second (appendfsync everysec).</summary>
    Periodic = 1,
}

/// <summary>Settings of a tenant's dataset.</summary>
public sealed record TenantOptions
{
    public DurabilityMode Durability { get; init; } = DurabilityMode.Always;

    /// <summary>
    /// First size of the LMDB map; it doubles when full (up to 1 GiB, then grows by 1 GiB). With
    /// <see cref="WriteMap"/> the whole map is reserved on disk, so a tenant starts small rather than
    /// taking tens of megabytes for a handful of keys.
    /// </summary>
    public long InitialMapSize { get; init; } = 4L << 20;

    /// <summary>
    /// Open the environment with a writable memory map (see <see cref="Storage.Lmdb.LmdbEnvironmentOptions.WriteMap"/>):
    /// commits that touch many scattered pages skip a pwrite per page. Same durability and crash safety.
    /// </summary>
    public bool WriteMap { get; init; } = true;

    /// <summary>How often the active expiry sweep runs.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most keys one sweep removes before letting writes in again.</summary>
    public int SweepLimit { get; init; } = 1000;

    /// <summary>notify-keyspace-events, shared with the gateway that sets it.</summary>
    public KeyspaceEventSettings KeyspaceEvents { get; init; } = new();

    /// <summary>Where keyspace notifications are published; none when null.</summary>
    public IPubSub? PubSub { get; init; }

    /// <summary>Where the tenants' replicas log, above all a record that fails its checksum (once per damaged key).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock; tests pass a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
