using IceFire.Grains.Hosting;
using IceFire.Grains.Cluster;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Hosting;

/// <summary>Passwords and per-tenant settings of a silo running as a cluster of one (no cluster port).</summary>
public sealed class TenantSecretsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string DataPath => _temp.Sub("data");

    private sealed class Silo(ClusterNode node, DataDirectory data) : IAsyncDisposable
    {
        public ClusterNode Node => node;

        public async ValueTask DisposeAsync()
        {
            await node.DisposeAsync();
            data.Dispose();
        }
    }

    private async Task<Silo> OpenAsync()
    {
        var data = DataDirectory.Open(DataPath);
        var node = new ClusterNode(new ClusterNodeOptions
        {
            NodeId = 1,
            Data = data,
            ClusterAddress = "",
            Bootstrap = true,
            PasswordIterations = 1000,
            Tenant = new TenantOptions { Durability = DurabilityMode.Periodic },
        });
        await node.StartAsync(CancellationToken.None);
        return new Silo(node, data);
    }

    [Fact]
    public async Task AnUnknownTenantRunsTheKeyDerivationAndACorrectPasswordIsRemembered()
    {
        await using var silo = await OpenAsync();
        var tenants = silo.Node;
        {
            Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("shop", "pw"));
            var before = tenants.Passwords.Derivations;
            Assert.False(await tenants.CheckPasswordAsync("nobody", "pw"u8.ToArray()));
            Assert.Equal(before + 1, tenants.Passwords.Derivations);
            Assert.False(await tenants.CheckPasswordAsync("shop", "wrong"u8.ToArray()));
            Assert.Equal(before + 2, tenants.Passwords.Derivations);

            Assert.True(await tenants.CheckPasswordAsync("shop", "pw"u8.ToArray()));
            Assert.Equal(before + 3, tenants.Passwords.Derivations);
            Assert.True(await tenants.CheckPasswordAsync("shop", "pw"u8.ToArray()));
            Assert.Equal(before + 3, tenants.Passwords.Derivations);

            // A tenant made again under the same name has a new password: the remembered one no longer counts.
            Assert.Equal(TenantChangeStatus.Done, await tenants.DropAsync("shop"));
            Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("shop", "new"));
            Assert.False(await tenants.CheckPasswordAsync("shop", "pw"u8.ToArray()));
            Assert.True(await tenants.CheckPasswordAsync("shop", "new"u8.ToArray()));
        }
    }

    [Fact]
    public async Task SettingsArePerTenantAndSurviveAReopen()
    {
        var silo = await OpenAsync();
        var tenants = silo.Node;
        Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("a", "pw"));
        Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("b", "pw"));
        Assert.True(await tenants.SetSettingsAsync("a", new Dictionary<string, string> { ["notify-keyspace-events"] = "AKE", ["timeout"] = "30" }));
        Assert.True(await tenants.SetSettingsAsync("a", new Dictionary<string, string> { ["timeout"] = "40" }));
        Assert.False(await tenants.SetSettingsAsync("nobody", new Dictionary<string, string> { ["timeout"] = "1" }));
        Assert.Empty(tenants.GetSettings("b"));
        await silo.DisposeAsync();

        silo = await OpenAsync();
        tenants = silo.Node;
        try
        {
            var a = tenants.GetSettings("a");
            Assert.Equal("AKE", a["notify-keyspace-events"]);
            Assert.Equal("40", a["timeout"]);
            Assert.Empty(tenants.GetSettings("b"));
            // The password hash is intact beside the settings.
            Assert.True(await tenants.CheckPasswordAsync("a", "pw"u8.ToArray()));
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
