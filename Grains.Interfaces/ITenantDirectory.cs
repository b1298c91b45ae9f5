namespace IceFire.Grains.Interfaces;

/// <summary>
/// Finds tenants by name (Orleans' grain factory, narrowed to tenants): each tenant's dataset grain, its
/// pub/sub namespace, and its password check. Thread-safe.
/// </summary>
/// <remarks>
/// Isolation: a tenant's grain and pub/sub namespace are reachable only through its name, so a connection that
/// holds one tenant's handles cannot touch another's keys or channels. A tenant may be dropped at any time:
/// <see cref="Find"/> then returns null, <see cref="Dropped"/> is raised, and calls on handles obtained before
/// fail. The <c>default</c> tenant is never dropped.
/// </remarks>
public interface ITenantDirectory
{
    /// <summary>The tenant every connection starts in.</summary>
    const string DefaultTenant = "default";

    /// <summary>The grain of <paramref name="name"/>, or null when there is no such tenant.</summary>
    ITenantGrain? Find(string name);

    /// <summary>
    /// The pub/sub namespace of <paramref name="name"/>, or null when there is no such tenant. Channels,
    /// patterns and keyspace notifications of one tenant are invisible in every other tenant's namespace.
    /// </summary>
    IPubSub? FindPubSub(string name);

    /// <summary>
    /// True when <paramref name="password"/> is the password of tenant <paramref name="name"/>. False for an
    /// unknown tenant and for <c>default</c>, whose password (requirepass) the gateway checks itself. May take
    /// tens of milliseconds (a key-derivation function) and completes on another thread then; the memory must
    /// stay valid until the task completes.
    /// </summary>
    ValueTask<bool> CheckPasswordAsync(string name, ReadOnlyMemory<byte> password);

    /// <summary>
    /// The settings tenant <paramref name="name"/> chose for itself (CONFIG SET of a per-tenant parameter such as
    /// notify-keyspace-events), by parameter name; empty when it set none or does not exist. Stored with the tenant:
    /// in the catalog of a single silo, in the replicated tenant table of a cluster.
    /// </summary>
    IReadOnlyDictionary<string, string> GetSettings(string name);

    /// <summary>
    /// Stores <paramref name="changes"/> among tenant <paramref name="name"/>'s settings (the others are kept) and
    /// applies them on this silo; durable when it returns true (committed by the cluster's tenant table in a
    /// cluster). False when there is no such tenant.
    /// </summary>
    /// <exception cref="TenantUnavailableException">A cluster's tenant table has no reachable leader.</exception>
    ValueTask<bool> SetSettingsAsync(string name, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Raised with a tenant's name once it is dropped: it is no longer found, and its grain is closing. Handlers
    /// run on the dropping thread and must not block.
    /// </summary>
    event Action<string>? Dropped;
}
