using IceFire.Grains.Tenants;
using Xunit;

namespace IceFire.Grains.Tests.Replication;

/// <summary>A fresh <see cref="TenantCluster"/> for each test, made with <see cref="CreateOptions"/>.</summary>
public abstract class ReplicaGroupTestBase : IAsyncLifetime
{
    protected TenantCluster Group { get; private set; } = null!;

    /// <summary>The replicas' options; the defaults unless a test class says otherwise.</summary>
    protected virtual TenantOptions CreateOptions() => new();

    public virtual Task InitializeAsync()
    {
        Group = new TenantCluster([1, 2, 3], options: CreateOptions());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Group.DisposeAsync();
}
