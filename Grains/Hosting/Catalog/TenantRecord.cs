namespace IceFire.Grains.Hosting.Catalog;

/// <summary>One tenant as the catalog knows it.</summary>
/// <param name="Name">Valid per <see cref="TenantName"/>.</param>
/// <param name="Created">When the tenant was created (UTC).</param>
/// <param name="Password">The password's hash; null for <c>default</c>, whose password is the silo's requirepass.</param>
/// <param name="Settings">The CONFIG parameters the tenant set for itself (per-tenant ones only); null when none.</param>
public sealed record TenantRecord(string Name, DateTimeOffset Created, PasswordHash? Password, IReadOnlyDictionary<string, string>? Settings = null);
