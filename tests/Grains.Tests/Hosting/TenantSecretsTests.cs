using System.Text;
using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Hosting;

/// <summary>Passwords and per-tenant settings in a single silo's tenant directory and catalog.</summary>
public sealed class TenantSecretsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string DataPath => _temp.Sub("data");

    private TenantDirectory Open(out DataDirectory data)
    {
        data = DataDirectory.Open(DataPath);
        return TenantDirectory.Open(data, new TenantOptions { Durability = DurabilityMode.Periodic }, passwordIterations: 1000);
    }

    [Fact]
    public async Task AnUnknownTenantRunsTheKeyDerivationAndACorrectPasswordIsRemembered()
    {
        var tenants = Open(out var data);
        try
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
        finally
        {
            tenants.Dispose();
            data.Dispose();
        }
    }

    [Fact]
    public async Task SettingsArePerTenantAndSurviveAReopen()
    {
        var tenants = Open(out var data);
        Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("a", "pw"));
        Assert.Equal(TenantChangeStatus.Done, await tenants.CreateAsync("b", "pw"));
        Assert.True(await tenants.SetSettingsAsync("a", new Dictionary<string, string> { ["notify-keyspace-events"] = "AKE", ["timeout"] = "30" }));
        Assert.True(await tenants.SetSettingsAsync("a", new Dictionary<string, string> { ["timeout"] = "40" }));
        Assert.False(await tenants.SetSettingsAsync("nobody", new Dictionary<string, string> { ["timeout"] = "1" }));
        Assert.Empty(tenants.GetSettings("b"));
        tenants.Dispose();
        data.Dispose();

        tenants = Open(out data);
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
            tenants.Dispose();
            data.Dispose();
        }
    }

    [Fact]
    public async Task TheCatalogIsReadableByItsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix file modes
        }
        var catalog = FileTenantCatalog.Open(_temp.Path);
        var path = Path.Combine(_temp.Path, FileTenantCatalog.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.True(await catalog.TryAddAsync(new TenantRecord("t", DateTimeOffset.UtcNow, TenantPassword.Hash("pw"u8, 1000))));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        // A catalog an older version left readable by others is restricted when opened.
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        FileTenantCatalog.Open(_temp.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.DoesNotContain("\"pw\"", Encoding.UTF8.GetString(File.ReadAllBytes(path)));
    }
}
