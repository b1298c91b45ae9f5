using IceFire.Grains.Hosting.Catalog;

namespace IceFire.Grains.Hosting;

/// <summary>What a tenant create or drop came to.</summary>
public enum TenantChangeStatus
{
    /// <summary>The tenant was created or dropped.</summary>
    Done = 0,

    /// <summary>The name breaks <see cref="TenantName"/>'s rule.</summary>
    InvalidName = 1,

    /// <summary>Create: a tenant of that name exists.</summary>
    Exists = 2,

    /// <summary>Drop: there is no tenant of that name.</summary>
    NotFound = 3,

    /// <summary>Drop: <c>default</c> cannot be dropped.</summary>
    Protected = 4,
}

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
