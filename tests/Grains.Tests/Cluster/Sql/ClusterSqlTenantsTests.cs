using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces.Sql;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>The cluster's SQL tenant directory: which tenants it finds, and their SCRAM secrets.</summary>
public sealed class ClusterSqlTenantsTests
{
    [Fact]
    public async Task The_directory_finds_placed_tenants_and_derives_scram_secrets()
    {
        var password = "s3cret"u8.ToArray();
        var hash = TenantPassword.Hash(password, 4096);
        var placed = new TenantPlacementInfo("shop", 100, [1, 2, 3], [1, 2, 3], DateTimeOffset.UnixEpoch, hash);
        await using var cluster = new SqlRoutingCluster();
        var directory = new ClusterSqlTenants(
            name => name == "shop" ? placed : null,
            (name, given) => ValueTask.FromResult(name == "shop" && given.Span.SequenceEqual(password)),
            cluster[2].Router,
            4096);
        Assert.NotNull(directory.Find("shop"));
        Assert.NotNull(directory.Find("default"));
        Assert.Null(directory.Find("nobody"));
        Assert.Null(directory.FindScramSecret("default"));
        // An unknown tenant gets a mock verifier: the same salt for every attempt at that name, the real iteration count.
        var mock = directory.FindScramSecret("nobody");
        Assert.NotNull(mock);
        Assert.Equal(4096, mock.Iterations);
        Assert.Equal(mock.Salt, directory.FindScramSecret("nobody")!.Salt);
        Assert.NotEqual(mock.Salt, directory.FindScramSecret("nobody-else")!.Salt);
        var secret = directory.FindScramSecret("shop");
        Assert.NotNull(secret);
        Assert.Equal(ScramSecret.FromSaltedPassword(hash.Salt, hash.Iterations, hash.Hash).StoredKey, secret.StoredKey);
        Assert.True(await directory.CheckPasswordAsync("shop", password));
        await using var session = await directory.Find("shop")!.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        Assert.Equal("1", (await session.RunAsync("SELECT 1")).Scalar);
    }
}
