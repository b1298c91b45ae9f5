using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>The admin HTTP API of a real silo: probes, the tenant endpoints' answers, /cluster, the token, and `icefire tenant`.</summary>
public sealed class AdminApiTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ProbesAndClusterDescribeTheSilo()
    {
        await using var silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"));
        using var admin = new AdminClient(silo);
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await admin.GetAsync("/healthz"));
        Assert.Equal((HttpStatusCode.OK, "ready\n"), await admin.GetAsync("/readyz"));
        await admin.CreateOrFailAsync("shop", "pw");
        using (var socket = RespSocket.Connect(silo.Port))
        {
            Assert.Equal("+OK\r\n", socket.Call("AUTH", "shop", "pw"));
            Assert.Equal("+OK\r\n", socket.Call("SET", "a", "1"));
            Assert.Equal("+OK\r\n", socket.Call("SET", "b", "2"));
        }

        var (status, body) = await admin.GetAsync("/cluster");
        Assert.Equal(HttpStatusCode.OK, status);
        using var cluster = JsonDocument.Parse(body);
        var member = Assert.Single(cluster.RootElement.GetProperty("members").EnumerateArray());
        var id = member.GetProperty("id").GetString();
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal("up", member.GetProperty("state").GetString());
        Assert.Equal($"127.0.0.1:{silo.Port}", member.GetProperty("addresses").GetProperty("resp").GetString());
        Assert.Equal($"127.0.0.1:{silo.AdminPort}", member.GetProperty("addresses").GetProperty("admin").GetString());
        var tenants = cluster.RootElement.GetProperty("tenants").EnumerateArray().ToList();
        Assert.Equal(["default", "shop"], tenants.Select(t => t.GetProperty("name").GetString()));
        foreach (var tenant in tenants)
        {
            Assert.Equal([id], tenant.GetProperty("replicas").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal(id, tenant.GetProperty("leader").GetString());
            Assert.True(tenant.GetProperty("commitIndex").GetInt64() >= 0);
        }
        Assert.True(tenants[1].GetProperty("commitIndex").GetInt64() >= 2, body);

        (status, body) = await admin.GetAsync("/tenants");
        Assert.Equal(HttpStatusCode.OK, status);
        using var list = JsonDocument.Parse(body);
        var shop = list.RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "shop");
        Assert.Equal(2, shop.GetProperty("keys").GetInt64());
        Assert.True(shop.TryGetProperty("created", out _));
        Assert.False(shop.TryGetProperty("password", out _));
    }

    [Fact]
    public async Task TenantEndpointsAnswerBadRequestsWithTheRightStatus()
    {
        await using var silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"));
        using var admin = new AdminClient(silo);
        Assert.Equal(HttpStatusCode.Created, (await admin.CreateAsync("t1", "pw")).Status);
        var (status, body) = await admin.CreateAsync("t1", "other");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("already exists", body);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.CreateAsync("default", "pw")).Status);
        (status, body) = await admin.CreateAsync("Upper", "pw");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("lower-case", body);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.CreateAsync(new string('a', 65), "pw")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.CreateAsync("../x", "pw")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.CreateAsync("ok", "")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync(HttpMethod.Post, "/tenants", "{\"name\":\"ok\"}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync(HttpMethod.Post, "/tenants", "not json")).Status);

        (status, body) = await admin.DropAsync("default");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("cannot be dropped", body);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DropAsync("never")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DropAsync("t1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/nothing-here")).Status);
    }

    [Fact]
    public async Task TheAdminTokenGuardsTenantsAndClusterButNotTheProbes()
    {
        await using var silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"), "--admin-token", "s3cret");
        Assert.Contains("(token required)", silo.StandardOutput);
        using var anonymous = new AdminClient(silo);
        using var wrong = new AdminClient(silo, "nope");
        using var right = new AdminClient(silo, "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).Status);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).Status);
        foreach (var client in new[] { anonymous, wrong })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/tenants")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/cluster")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.CreateAsync("x", "pw")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.DropAsync("x")).Status);
        }
        Assert.Equal(HttpStatusCode.OK, (await right.GetAsync("/tenants")).Status);
        Assert.Equal(HttpStatusCode.Created, (await right.CreateAsync("x", "pw")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await right.DropAsync("x")).Status);
    }

    [Fact]
    public async Task WithoutAdminPortThereIsNoAdminListener()
    {
        await using var silo = await SiloProcess.StartAsync(_temp.Sub("data"));
        await silo.WaitReadyAsync();
        Assert.DoesNotContain("admin HTTP", silo.StandardOutput);
    }

    [Fact]
    public async Task LauncherTenantCommandsDriveTheAdminApi()
    {
        await using var silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"), "--admin-token", "tok");
        var address = $"127.0.0.1:{silo.AdminPort}";
        var (code, output) = await LauncherAsync(["tenant", "create", "cli-t", "--password", "p\"w", "--admin", address, "--token", "tok"]);
        Assert.True(code == 0, output);
        Assert.Contains("created tenant cli-t", output);
        using (var socket = RespSocket.Connect(silo.Port))
        {
            Assert.Equal("+OK\r\n", socket.Call("AUTH", "cli-t", "p\"w"));
        }

        (code, output) = await LauncherAsync(["tenant", "create", "gen-t", "--admin", address], ("ICEFIRE_ADMIN_TOKEN", "tok"));
        Assert.True(code == 0, output);
        var password = output.Split('\n').Single(l => l.StartsWith("password: ", StringComparison.Ordinal))["password: ".Length..].Trim();
        using (var socket = RespSocket.Connect(silo.Port))
        {
            Assert.Equal("+OK\r\n", socket.Call("AUTH", "gen-t", password));
        }

        (code, output) = await LauncherAsync(["tenant", "list", "--admin", address, "--token", "tok"]);
        Assert.True(code == 0, output);
        Assert.Matches(@"(?m)^default\s", output);
        Assert.Matches(@"(?m)^cli-t\s", output);

        (code, output) = await LauncherAsync(["tenant", "create", "cli-t", "--password", "x", "--admin", address, "--token", "tok"]);
        Assert.Equal(1, code);
        Assert.Contains("tenant 'cli-t' already exists", output);
        (code, output) = await LauncherAsync(["tenant", "list", "--admin", address]);
        Assert.Equal(1, code);
        Assert.Contains("Authorization: Bearer", output);

        (code, output) = await LauncherAsync(["tenant", "drop", "cli-t", "--admin", address, "--token", "tok"]);
        Assert.True(code == 0, output);
        Assert.Contains("dropped tenant cli-t", output);
        (code, output) = await LauncherAsync(["tenant", "drop", "default", "--admin", address, "--token", "tok"]);
        Assert.Equal(1, code);
        Assert.Contains("the default tenant cannot be dropped", output);

        (code, output) = await LauncherAsync(["tenant", "list", "--admin", "127.0.0.1:1"]);
        Assert.Equal(1, code);
        Assert.Contains("cannot reach the silo's admin API at 127.0.0.1:1", output);
    }

    private static async Task<(int Code, string Output)> LauncherAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), "icefire"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment.Remove("ICEFIRE_ADMIN");
        info.Environment.Remove("ICEFIRE_ADMIN_TOKEN");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "icefire")) && File.Exists(Path.Combine(dir.FullName, "IceFire.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the repository root (with the icefire launcher) was not found above " + AppContext.BaseDirectory);
    }
}
