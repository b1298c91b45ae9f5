using System.Diagnostics;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>Debian's psql against the SQL gateway: -c, \dt, \d TABLE and a script file.</summary>
public sealed class PsqlTests(SqlSiloFixture fixture) : IClassFixture<SqlSiloFixture>
{
    private async Task<(int Exit, string Output)> Psql(params string[] args)
    {
        var info = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-X", "-h", "127.0.0.1", "-p", fixture.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "default", "-v", "ON_ERROR_STOP=1", .. args])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["PGPASSWORD"] = SqlSiloFixture.DefaultPassword;
        info.Environment["PGCONNECT_TIMEOUT"] = "10";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task SelectOne()
    {
        var (exit, output) = await Psql("-At", "-c", "select 1");
        Assert.True(exit == 0, output);
        Assert.Equal("1", output.Trim());
    }

    [Fact]
    public async Task ListTables()
    {
        var (exit, output) = await Psql("-c", "CREATE TABLE gadgets(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)");
        Assert.True(exit == 0, output);
        (exit, output) = await Psql("-c", "\\dt");
        Assert.True(exit == 0, output);
        Assert.Matches(@"public\s*\|\s*gadgets\s*\|\s*table", output);
    }

    [Fact(Skip = "psql's \\d TABLE queries (array expressions, regclass casts, pg_index) are not answered yet")]
    public async Task DescribeTable()
    {
        var (exit, output) = await Psql("-c", "CREATE TABLE IF NOT EXISTS gadgets(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)");
        Assert.True(exit == 0, output);
        (exit, output) = await Psql("-c", "\\d gadgets");
        Assert.True(exit == 0, output);
        Assert.Contains("Table \"public.gadgets\"", output);
        Assert.Matches(@"name\s*\|\s*text", output);
        Assert.Matches(@"price\s*\|\s*real", output);
    }

    [Fact]
    public async Task RunsAScriptFile()
    {
        var script = Path.Combine(Path.GetTempPath(), $"icefire-psql-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, """
            CREATE TABLE script_items(id INTEGER PRIMARY KEY, label TEXT);
            BEGIN;
            INSERT INTO script_items VALUES (1, 'one'), (2, 'two');
            COMMIT;
            SELECT label FROM script_items ORDER BY id;
            """);
        try
        {
            var (exit, output) = await Psql("-At", "-f", script);
            Assert.True(exit == 0, output);
            Assert.Equal(["CREATE TABLE", "BEGIN", "INSERT 0 2", "COMMIT", "one", "two"], output.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(script);
        }
    }
}
