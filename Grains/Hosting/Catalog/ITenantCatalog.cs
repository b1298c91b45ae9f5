namespace IceFire.Grains.Hosting.Catalog;

/// <summary>One tenant as the catalog knows it.</summary>
/// <param name="Name">Valid per <see cref="TenantName"/>.</param>
/// <param name="Created">When the tenant was created (UTC).</param>
/// <param name="Password">The password's hash; null for <c>default</c>, whose password is the silo's requirepass.</param>
/// <param name="Settings">The CONFIG parameters the tenant set for itself (per-tenant ones only); null when none.</param>
public sealed record TenantRecord(string Name, DateTimeOffset Created, PasswordHash? Password, IReadOnlyDictionary<string, string>? Settings = null);

/// <summary>
/// The durable table of tenants: which tenants exist, with their password hashes. The tenant directory opens
/// a tenant's dataset only for a name listed here, so the catalog is the truth about which tenants exist;
/// datasets it does not list are leftovers of an interrupted create or drop.
/// </summary>
/// <remarks>
/// <para>Contract: a change is durable when its task completes successfully (on this silo for the file
/// catalog; committed by a quorum for a replicated one). A faulted task means the change may or may not
/// have been made; the caller re-reads with <see cref="Find"/>. <c>default</c> is always listed.</para>
/// <para>Thread safety: every member may be called from any thread; changes are applied one at a time.
/// The reads see the last change that completed.</para>
/// </remarks>
public interface ITenantCatalog
{
    /// <summary>Every tenant, <c>default</c> first, then by name. A snapshot the caller owns.</summary>
    IReadOnlyList<TenantRecord> List();

    /// <summary>The record of <paramref name="name"/>, or null when there is no such tenant.</summary>
    TenantRecord? Find(string name);

    /// <summary>Adds <paramref name="record"/>; false (and no change) when a tenant of that name exists.</summary>
    ValueTask<bool> TryAddAsync(TenantRecord record, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="name"/>; false when there is no such tenant. <c>default</c> cannot be removed.</summary>
    ValueTask<bool> TryRemoveAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets <paramref name="changes"/> among tenant <paramref name="name"/>'s <see cref="TenantRecord.Settings"/>, keeping
    /// the others; false (and no change) when there is no such tenant.
    /// </summary>
    ValueTask<bool> TrySetSettingsAsync(string name, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken = default);
}
