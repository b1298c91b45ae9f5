using IceFire.Grains.Hosting.Catalog;

namespace IceFire.Grains.Hosting;

/// <summary>Creates, drops and lists tenants: the tenant table behind the admin API, on one silo or a whole cluster.</summary>
public interface ITenantAdmin
{
    /// <summary>Every tenant, <c>default</c> first, then by name.</summary>
    IReadOnlyList<TenantRecord> ListTenants();

    /// <summary>Creates tenant <paramref name="name"/> with an empty dataset; durable when it returns <see cref="TenantChangeStatus.Done"/>.</summary>
    Task<TenantChangeStatus> CreateAsync(string name, string password, CancellationToken cancellationToken = default);

    /// <summary>Drops tenant <paramref name="name"/> and its data.</summary>
    Task<TenantChangeStatus> DropAsync(string name, CancellationToken cancellationToken = default);
}
