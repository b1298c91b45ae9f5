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

    [Fact]
    public async Task DescribeTable()
    {
        var (exit, output) = await Psql("-c", "CREATE TABLE IF NOT EXISTS gadgets(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)");
        Assert.True(exit == 0, output);
        (exit, output) = await Psql("-c", "\\d gadgets");
        Assert.True(exit == 0, output);
        Assert.Contains("Table \"public.gadgets\"", output);
        Assert.Matches(@"id\s*\|\s*bigint\s*\|\s*\|\s*not null", output);
        Assert.Matches(@"name\s*\|\s*text\s*\|\s*\|\s*not null", output);
        Assert.Matches(@"price\s*\|\s*double precision\s*\|\s*\|\s*\|", output);
        Assert.Contains("\"gadgets_pkey\" PRIMARY KEY, btree (id)", output);
    }

    [Fact]
    public async Task DescribeTableShowsDefaultsIndexesAndForeignKeys()
    {
        var (exit, output) = await Psql(
            "-c", "CREATE TABLE describe_makers(id INTEGER PRIMARY KEY, title TEXT UNIQUE)",
            "-c", "CREATE TABLE describe_parts(sku TEXT NOT NULL, qty INTEGER DEFAULT 1, maker INTEGER REFERENCES describe_makers(id) ON DELETE CASCADE, PRIMARY KEY(sku)) WITHOUT ROWID",
            "-c", "CREATE INDEX describe_parts_qty ON describe_parts(qty) WHERE qty > 0");
        Assert.True(exit == 0, output);
        (exit, output) = await Psql("-c", "\\d describe_parts");
        Assert.True(exit == 0, output);
        Assert.Matches(@"qty\s*\|\s*bigint\s*\|\s*\|\s*\|\s*1", output);
        Assert.Contains("\"describe_parts_pkey\" PRIMARY KEY, btree (sku)", output);
        Assert.Contains("\"describe_parts_qty\" btree (qty) WHERE qty > 0", output);
        Assert.Contains("\"describe_parts_maker_fkey\" FOREIGN KEY (maker) REFERENCES describe_makers(id) ON DELETE CASCADE", output);
        (exit, output) = await Psql("-c", "\\d describe_makers");
        Assert.True(exit == 0, output);
        Assert.Contains("\"describe_makers_title_key\" UNIQUE CONSTRAINT, btree (title)", output);
        Assert.Contains("TABLE \"describe_parts\" CONSTRAINT \"describe_parts_maker_fkey\"", output);
    }

    [Fact]
    public async Task DescribeIndexAndListRelations()
    {
        var (exit, output) = await Psql("-c", "CREATE TABLE IF NOT EXISTS gadgets(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)");
        Assert.True(exit == 0, output);
        (exit, output) = await Psql("-c", "\\d gadgets_pkey");
        Assert.True(exit == 0, output);
        Assert.Contains("Index \"public.gadgets_pkey\"", output);
        Assert.Contains("primary key, btree, for table \"public.gadgets\"", output);
        (exit, output) = await Psql("-c", "\\d");
        Assert.True(exit == 0, output);
        Assert.Matches(@"public\s*\|\s*gadgets\s*\|\s*table", output);
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
