using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Tests.Support.Silos;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>The cluster's SQL tenant directory on a real silo: which tenants it finds, and their SCRAM secrets.</summary>
[Collection(ThreeSilos.Collection)]
public sealed class ClusterSqlTenantsTests(ThreeSilos silos)
{
    [Fact]
    public async Task The_directory_finds_placed_tenants_and_derives_scram_secrets()
    {
        var cluster = silos.Cluster;
        var tenant = await cluster.CreateTenantAsync("shop", "s3cret");
        var password = "s3cret"u8.ToArray();
        var hash = cluster.Nodes[0].State.Tenants[tenant].Password!;
        var follower = cluster.ReplicasOf(tenant)[1];
        var directory = cluster[follower].Node.SqlTenants;
        Assert.NotNull(directory.Find(tenant));
        Assert.NotNull(directory.Find("default"));
        Assert.Null(directory.Find("nobody"));
        Assert.Null(directory.FindScramSecret("default"));
        // An unknown tenant gets a mock verifier: the same salt for every attempt at that name, the real iteration count.
        var mock = directory.FindScramSecret("nobody");
        Assert.NotNull(mock);
        Assert.Equal(TenantPassword.DefaultIterations, mock.Iterations);
        Assert.Equal(hash.Iterations, mock.Iterations);
        Assert.Equal(mock.Salt, directory.FindScramSecret("nobody")!.Salt);
        Assert.NotEqual(mock.Salt, directory.FindScramSecret("nobody-else")!.Salt);
        var secret = directory.FindScramSecret(tenant);
        Assert.NotNull(secret);
        Assert.Equal(ScramSecret.FromSaltedPassword(hash.Salt, hash.Iterations, hash.Hash).StoredKey, secret.StoredKey);
        Assert.True(await directory.CheckPasswordAsync(tenant, password));
        Assert.False(await directory.CheckPasswordAsync(tenant, "wrong"u8.ToArray()));
        await using var session = await directory.Find(tenant)!.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        Assert.Equal("1", (await session.RunAsync("SELECT 1")).Scalar);
    }
}
