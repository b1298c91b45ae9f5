using IceFire.Silo.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Sql.Differential;

/// <summary>
/// The differential suite on one silo: each testdata/*.sql file through the gateway (extended and simple protocol)
/// and through SQLite directly, every statement's rows or error class compared.
/// </summary>
public sealed class SqlDifferentialTests(OpenSqlSiloFixture fixture, ITestOutputHelper output) : IClassFixture<OpenSqlSiloFixture>
{
    public static IEnumerable<object[]> Files() => SqlScript.Files();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Script_answers_as_sqlite_does(string file)
    {
        await using var npgsql = await fixture.OpenAsync();
        await using var wire = await fixture.WireAsync();
        await DifferentialSuite.RunAsync(file, npgsql, wire, output);
    }
}

/// <summary>Runs one file against fresh SQLite and reports what differed.</summary>
internal static class DifferentialSuite
{
    public static async Task RunAsync(string file, NpgsqlConnection npgsql, PgWire wire, ITestOutputHelper output)
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(temp.Path, "direct.sqlite"),
            ForeignKeys = true,
            Pooling = false,
        }.ToString());
        sqlite.Open();
        var runner = new DifferentialRunner(npgsql, wire, sqlite);
        await runner.RunAsync(file);
        output.WriteLine($"{file}: {runner.Statements} statements, extended {runner.ExtendedPassed} passed, simple {runner.SimplePassed} passed");
        Assert.True(runner.Mismatches.Count == 0, string.Join("\n", runner.Mismatches));
    }
}
