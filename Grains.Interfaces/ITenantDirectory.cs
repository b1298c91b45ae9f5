namespace IceFire.Grains.Interfaces;

/// <summary>Finds tenant grains by name (Orleans' grain factory, narrowed to tenants). Thread-safe.</summary>
public interface ITenantDirectory
{
    /// <summary>The tenant every connection starts in.</summary>
    const string DefaultTenant = "default";

    /// <summary>The grain of <paramref name="name"/>, or null when there is no such tenant.</summary>
    ITenantGrain? Find(string name);
}
