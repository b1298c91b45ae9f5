using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Hosting;

public sealed class FileTenantCatalogTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string CatalogPath => Path.Combine(_temp.Path, FileTenantCatalog.FileName);

    private static TenantRecord Record(string name, string password = "pw") =>
        new(name, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), TenantPassword.Hash(System.Text.Encoding.UTF8.GetBytes(password), 1000));

    [Fact]
    public void ANewCatalogListsDefaultAndIsWrittenAtOnce()
    {
        var catalog = FileTenantCatalog.Open(_temp.Path);
        var only = Assert.Single(catalog.List());
        Assert.Equal("default", only.Name);
        Assert.Null(only.Password);
        Assert.True(File.Exists(CatalogPath));
        Assert.Equal("default", Assert.Single(FileTenantCatalog.Open(_temp.Path).List()).Name);
    }

    [Fact]
    public async Task ChangesSurviveAReopenAndTheFileHoldsNoPassword()
    {
        var catalog = FileTenantCatalog.Open(_temp.Path);
        Assert.True(await catalog.TryAddAsync(Record("zeta", "secret-zeta")));
        Assert.True(await catalog.TryAddAsync(Record("alpha", "secret-alpha")));
        Assert.False(await catalog.TryAddAsync(Record("alpha", "other")));
        Assert.True(await catalog.TryAddAsync(Record("gone")));
        Assert.True(await catalog.TryRemoveAsync("gone"));
        Assert.False(await catalog.TryRemoveAsync("gone"));

        var reopened = FileTenantCatalog.Open(_temp.Path);
        Assert.Equal(["default", "alpha", "zeta"], reopened.List().Select(r => r.Name));
        var alpha = reopened.Find("alpha")!;
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), alpha.Created);
        Assert.True(TenantPassword.Verify(alpha.Password!, "secret-alpha"u8));
        Assert.False(TenantPassword.Verify(alpha.Password!, "secret-zeta"u8));
        Assert.Null(reopened.Find("gone"));
        var text = File.ReadAllText(CatalogPath);
        Assert.DoesNotContain("secret", text);
        Assert.False(File.Exists(DurableFile.TempPath(CatalogPath)));
    }

    [Fact]
    public async Task DefaultCannotBeRemovedAndNamesAreChecked()
    {
        var catalog = FileTenantCatalog.Open(_temp.Path);
        await Assert.ThrowsAsync<ArgumentException>(async () => await catalog.TryRemoveAsync("default"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await catalog.TryAddAsync(Record("Bad Name")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await catalog.TryAddAsync(new TenantRecord("nopass", DateTimeOffset.UtcNow, null)));
    }

    [Fact]
    public async Task ALeftoverTemporaryFileIsIgnored()
    {
        var catalog = FileTenantCatalog.Open(_temp.Path);
        Assert.True(await catalog.TryAddAsync(Record("kept")));
        // A crash between writing the temporary file and the rename leaves it behind, perhaps half written.
        File.WriteAllText(DurableFile.TempPath(CatalogPath), "{\"format\":\"icefire-tenants-1\",\"tenants\":[{\"na");

        var reopened = FileTenantCatalog.Open(_temp.Path);
        Assert.Equal(["default", "kept"], reopened.List().Select(r => r.Name));
        Assert.True(await reopened.TryAddAsync(Record("next")));
        Assert.Equal(["default", "kept", "next"], FileTenantCatalog.Open(_temp.Path).List().Select(r => r.Name));
    }

    [Theory]
    [InlineData("{\"format\":\"icefire-tenants-1\",\"tenants\":[{\"na")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"format\":\"icefire-tenants-1\",\"tenants\":[]}")]
    [InlineData("{\"format\":\"icefire-tenants-1\",\"tenants\":[{\"name\":\"default\"},{\"name\":\"x\"}]}")]
    [InlineData("{\"format\":\"icefire-tenants-1\",\"tenants\":[{\"name\":\"default\"},{\"name\":\"../up\"}]}")]
    [InlineData("{\"format\":\"icefire-tenants-1\",\"tenants\":[{\"name\":\"default\"},{\"name\":\"default\"}]}")]
    [InlineData("{\"format\":\"icefire-tenants-9\",\"tenants\":[{\"name\":\"default\"}]}")]
    public void ADamagedCatalogStopsStartUpAndIsLeftAsItIs(string content)
    {
        File.WriteAllText(CatalogPath, content);
        var error = Assert.Throws<DataDirectoryException>(() => FileTenantCatalog.Open(_temp.Path));
        Assert.Contains(CatalogPath, error.Message);
        Assert.Contains("refusing to start", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(content, File.ReadAllText(CatalogPath));
    }

    [Fact]
    public void AMissingCatalogBesideOtherTenantsDataStopsStartUp()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, "tenants", "default"));
        Directory.CreateDirectory(Path.Combine(_temp.Path, "tenants", "shop"));
        var error = Assert.Throws<DataDirectoryException>(() => FileTenantCatalog.Open(_temp.Path));
        Assert.Contains("'shop'", error.Message);
        Assert.False(File.Exists(CatalogPath));
    }

    [Fact]
    public void ADirectoryFromBeforeCatalogsGetsOneListingDefault()
    {
        Directory.CreateDirectory(Path.Combine(_temp.Path, "tenants", "default"));
        Assert.Equal("default", Assert.Single(FileTenantCatalog.Open(_temp.Path).List()).Name);
        Assert.True(File.Exists(CatalogPath));
    }
}
