using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>
/// A data directory a single silo wrote before it ran as a cluster of one (testdata/single-silo-data: tenants.json, and
/// tenants/NAME with each tenant's environment, compacted, and tables): adopted at the first start, nothing lost.
/// </summary>
public sealed class AdoptionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A copy of the fixture to start a silo on.</summary>
    private string CopyOfFixture()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "testdata", "single-silo-data");
        var target = _temp.Sub("data");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    [Fact]
    public async Task ASingleSilosTenantsKeysPasswordsSettingsAndTablesAreAdoptedAndSurviveARestart()
    {
        var data = CopyOfFixture();
        await using (var silo = await SiloProcess.StartAsync(data))
        {
            await silo.WaitReadyAsync();
            Assert.Contains("adopted 2 tenants of a single silo's data directory", silo.StandardOutput);
            Assert.False(File.Exists(Path.Combine(data, "tenants.json")));
            Assert.False(Directory.Exists(Path.Combine(data, "tenants", "acme")));
            Assert.NotNull(SiloProcess.TenantDirectory(data, "acme"));

            using var admin = RespSocket.Connect(silo.Port);
            Assert.Equal("$2\r\nv1\r\n", admin.Call("GET", "k1"));
            Assert.Equal("*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n", admin.Call("CONFIG", "GET", "notify-keyspace-events"));
            using var acme = RespSocket.Connect(silo.Port);
            Assert.StartsWith("-WRONGPASS", acme.Call("AUTH", "acme", "wrong"));
            Assert.Equal("+OK\r\n", acme.Call("AUTH", "acme", "pw1"));
            Assert.Equal("$2\r\n42\r\n", acme.Call("GET", "acmekey"));
            Assert.Equal("+OK\r\n", acme.Call("SET", "after", "adoption"));

            await using var sql = await OpenAcmeAsync(silo);
            Assert.Equal([1L, 2L], await ColumnAsync(sql, "SELECT a FROM t ORDER BY a"));
            await using (var insert = new NpgsqlCommand("INSERT INTO t VALUES (3)", sql))
            {
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }
            silo.Terminate();
            Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        await using (var silo = await SiloProcess.StartAsync(data))
        {
            await silo.WaitReadyAsync();
            Assert.DoesNotContain("adopted", silo.StandardOutput);
            using var acme = RespSocket.Connect(silo.Port);
            Assert.Equal("+OK\r\n", acme.Call("AUTH", "acme", "pw1"));
            Assert.Equal("$2\r\n42\r\n", acme.Call("GET", "acmekey"));
            Assert.Equal("$8\r\nadoption\r\n", acme.Call("GET", "after"));
            await using var sql = await OpenAcmeAsync(silo);
            Assert.Equal([1L, 2L, 3L], await ColumnAsync(sql, "SELECT a FROM t ORDER BY a"));
        }
    }

    [Fact]
    public async Task ADamagedCatalogStopsTheStartBeforeAnythingIsWritten()
    {
        var data = CopyOfFixture();
        var catalog = Path.Combine(data, "tenants.json");
        await File.WriteAllTextAsync(catalog, "{\"format\": \"icefire-tenants-1\", \"tenants\": [");
        var before = await File.ReadAllBytesAsync(catalog);
        await using var silo = await SiloProcess.StartAsync(data, waitReady: false);
        Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("is damaged", silo.StandardError);
        Assert.Equal(before, await File.ReadAllBytesAsync(catalog));
        Assert.False(Directory.Exists(Path.Combine(data, "cluster")), "no cluster may be founded over an unreadable catalog");
        Assert.True(Directory.Exists(Path.Combine(data, "tenants", "acme")));
    }

    [Fact]
    public async Task JoiningAnotherClusterWithASingleSilosDataIsRefused()
    {
        var data = CopyOfFixture();
        await using var silo = await SiloProcess.StartAsync(data, false, "--seeds", "127.0.0.1:1", "--cluster-port", "0");
        Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("holds a single silo's data", silo.StandardError);
        Assert.True(File.Exists(Path.Combine(data, "tenants.json")));
        Assert.True(Directory.Exists(Path.Combine(data, "tenants", "acme")));
    }

    private static async Task<NpgsqlConnection> OpenAcmeAsync(SiloProcess silo)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = silo.SqlPort,
            Username = "acme",
            Password = "pw1",
            Database = "acme",
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<List<long>> ColumnAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<long>();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }
        return values;
    }
}
