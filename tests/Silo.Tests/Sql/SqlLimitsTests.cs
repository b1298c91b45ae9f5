using System.Diagnostics;
using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>
/// Runaway SQL on a real silo: statement_timeout, a client that goes away, SIGTERM, idle_session_timeout, and the
/// other tenants' latency while one tenant runs statements that never end.
/// </summary>
public sealed class SqlLimitsTests(SqlSiloFixture fixture) : IClassFixture<SqlSiloFixture>
{
    /// <summary>A statement that never completes: it counts the rows of an endless recursive CTE, on one core.</summary>
    internal const string Runaway = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

    private static async Task<PostgresException> FailsAsync(NpgsqlConnection c, string sql)
    {
        await using var command = new NpgsqlCommand(sql, c) { CommandTimeout = 60 };
        return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    /// <summary>The PostgresException a command ends with; Npgsql wraps the one of a cancelled command.</summary>
    private static async Task<PostgresException> CancelledAsync(NpgsqlCommand command)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteNonQueryAsync());
        return e as PostgresException ?? Assert.IsType<PostgresException>(e.InnerException);
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection c, string sql)
    {
        await using var command = new NpgsqlCommand(sql, c);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Statement_timeout_stops_a_runaway_query_with_57014_and_the_connection_stays_usable()
    {
        await using var c = await fixture.OpenAsync("alpha");
        await ClusterSql.ExecAsync(c, "SET statement_timeout = '1s'");
        Assert.Equal("1s", await ScalarAsync(c, "SHOW statement_timeout"));
        await ClusterSql.ExecAsync(c, "SET statement_timeout TO 500");
        Assert.Equal("500ms", await ScalarAsync(c, "SHOW statement_timeout"));

        var clock = Stopwatch.StartNew();
        var e = await FailsAsync(c, Runaway);
        Assert.Equal("57014", e.SqlState);
        Assert.Equal("canceling statement due to statement timeout", e.MessageText);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        Assert.Equal("1", await ScalarAsync(c, "SELECT 1"));

        // Inside a transaction the statement fails the transaction, as PostgreSQL's does; ROLLBACK ends it.
        await ClusterSql.ExecAsync(c, "CREATE TABLE IF NOT EXISTS timed(id INTEGER PRIMARY KEY)");
        await using (var tx = await c.BeginTransactionAsync())
        {
            await ClusterSql.ExecAsync(c, "INSERT INTO timed VALUES (1)");
            Assert.Equal("57014", (await FailsAsync(c, Runaway)).SqlState);
            Assert.Equal("25P02", (await FailsAsync(c, "SELECT 1")).SqlState);
            await tx.RollbackAsync();
        }
        Assert.Equal("0", await ScalarAsync(c, "SELECT count(*) FROM timed"));

        Assert.Equal("22023", (await FailsAsync(c, "SET statement_timeout = 'soon'")).SqlState);
        await ClusterSql.ExecAsync(c, "SET statement_timeout = '2min'");
        Assert.Equal("2min", await ScalarAsync(c, "SHOW statement_timeout"));
        await ClusterSql.ExecAsync(c, "RESET statement_timeout");
        Assert.Equal("0", await ScalarAsync(c, "SHOW statement_timeout"));
    }

    [Fact]
    public async Task Statement_timeout_given_at_start_up_applies()
    {
        var options = new NpgsqlConnectionStringBuilder(fixture.ConnectionString("alpha")) { Options = "-c statement_timeout=300ms" };
        await using var c = new NpgsqlConnection(options.ConnectionString);
        await c.OpenAsync();
        Assert.Equal("300ms", await ScalarAsync(c, "SHOW statement_timeout"));
        Assert.Equal("57014", (await FailsAsync(c, Runaway)).SqlState);
    }

    [Fact]
    public async Task A_killed_clients_runaway_query_is_stopped()
    {
        var silo = fixture.Silo;
        using var psql = StartPsql(fixture.Port, "alpha", "alpha-pw", Runaway);
        await SiloCpu.WaitBusyAsync(silo.ProcessId, "the runaway query to keep a core busy");
        psql.Kill();
        await psql.WaitForExitAsync();
        await SiloCpu.WaitIdleAsync(silo.ProcessId, "the silo to stop the query of a client that is gone");
    }

    /// <summary>psql running <paramref name="sql"/>, to be killed while it waits: its socket is then closed by the kernel.</summary>
    internal static Process StartPsql(int port, string user, string? password, string sql)
    {
        var info = new ProcessStartInfo("psql")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (password is not null)
        {
            info.Environment["PGPASSWORD"] = password;
        }
        foreach (var arg in (string[])["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", user, "-d", user, "-c", sql])
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }

    [Fact]
    public async Task Idle_session_timeout_closes_an_idle_session_with_57P05()
    {
        await using var c = await fixture.OpenAsync("alpha");
        await ClusterSql.ExecAsync(c, "SET idle_session_timeout = '300ms'");
        Assert.Equal("300ms", await ScalarAsync(c, "SHOW idle_session_timeout"));
        // WaitAsync reads whatever the server sends next, here the FATAL that ends the session.
        var e = await Assert.ThrowsAsync<PostgresException>(() => c.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("57P05", e.SqlState);
        Assert.Equal("terminating connection due to idle-session timeout", e.MessageText);
    }

    [Fact]
    public async Task Statements_past_a_tenants_cap_wait_their_turn_and_other_tenants_stay_fast()
    {
        var cap = Math.Max(2, Environment.ProcessorCount);
        var runaways = new List<(NpgsqlConnection Connection, NpgsqlCommand Command, Task<PostgresException> Outcome)>();
        try
        {
            for (var i = 0; i < cap + 1; i++)
            {
                // Not pooled: disposing one closes its socket, which stops its statement if it still runs.
                var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.ConnectionString("alpha")) { Pooling = false }.ConnectionString);
                await connection.OpenAsync();
                await ClusterSql.ExecAsync(connection, "SET statement_timeout = '60s'");
                var command = new NpgsqlCommand(Runaway, connection) { CommandTimeout = 120 };
                runaways.Add((connection, command, CancelledAsync(command)));
            }
            await SiloCpu.WaitBusyAsync(fixture.Silo.ProcessId, "the runaway queries to keep the cores busy");

            await using var other = await fixture.OpenAsync("beta");
            await ClusterSql.ExecAsync(other, "CREATE TABLE IF NOT EXISTS quick(id INTEGER PRIMARY KEY, v TEXT)");
            await ClusterSql.ExecAsync(other, "INSERT OR REPLACE INTO quick VALUES (1, 'one')");
            var took = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var clock = Stopwatch.StartNew();
                Assert.Equal("one", await ScalarAsync(other, "SELECT v FROM quick WHERE id = 1"));
                took.Add(clock.Elapsed.TotalMilliseconds);
            }
            took.Sort();
            var p99 = took[(int)Math.Ceiling(took.Count * 0.99) - 1];
            // Alpha's queries never end by themselves: a starved beta would wait for ever, so a bound well above a busy
            // machine's noise still tells the two apart.
            Assert.True(p99 < 1000, $"tenant beta's p99 was {p99:F1} ms while alpha ran {cap + 1} runaway queries");

            // Alpha's own short statement waits for one of its slots and then runs: it is not refused.
            var waiting = Task.Run(async () =>
            {
                await using var alpha = await fixture.OpenAsync("alpha");
                return await ScalarAsync(alpha, "SELECT 42");
            });
            foreach (var runaway in runaways)
            {
                runaway.Command.Cancel();
            }
            Assert.Equal("42", await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
            foreach (var runaway in runaways)
            {
                Assert.Equal("57014", (await runaway.Outcome.WaitAsync(TimeSpan.FromSeconds(30))).SqlState);
            }
            await SiloCpu.WaitIdleAsync(fixture.Silo.ProcessId, "the cancelled queries to stop");
        }
        finally
        {
            foreach (var runaway in runaways)
            {
                if (!runaway.Outcome.IsCompleted)
                {
                    runaway.Command.Cancel();
                    // Cleanup after a failure: give the cancel time to land, without hiding the failure behind a timeout.
                    await ((Task)runaway.Outcome.WaitAsync(TimeSpan.FromSeconds(10))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                }
                await runaway.Command.DisposeAsync();
                await runaway.Connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Sigterm_during_a_runaway_query_stops_the_silo_within_its_shutdown_timeout()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(temp.Sub("data"));
        // StartAsync returns at the RESP line; the SQL port is printed after it.
        await silo.WaitReadyAsync();
        var connection = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = silo.SqlPort,
            Username = "default",
            Database = "default",
            Pooling = false,
            CommandTimeout = 120,
        }.ConnectionString;
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(Runaway, c);
        var outcome = Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteNonQueryAsync());
        await SiloCpu.WaitBusyAsync(silo.ProcessId, "the runaway query to keep a core busy");

        var clock = Stopwatch.StartNew();
        silo.Terminate();
        await silo.WaitForExitAsync(TimeSpan.FromSeconds(30));
        // The host gives connections 10 s to finish; a stopped statement needs far less.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the silo took {clock.Elapsed.TotalSeconds:F1} s to stop");
        var e = await outcome.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("57P01", Assert.IsType<PostgresException>(e).SqlState);
    }
}

/// <summary>A silo process's CPU use, read from /proc, to see whether a statement is still running in it.</summary>
internal static class SiloCpu
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    /// <summary>The share of one core the process used over the next <see cref="Window"/>.</summary>
    public static async Task<double> CoresAsync(int pid)
    {
        var before = Ticks(pid);
        var clock = Stopwatch.StartNew();
        // The measurement window (CPU time used over wall time), the polling step of WaitAsync below.
        await Task.Delay(Window);
        var used = (Ticks(pid) - before) / 100.0;
        return used / clock.Elapsed.TotalSeconds;
    }

    /// <summary>utime + stime of <paramref name="pid"/>, in clock ticks (100 per second on Linux).</summary>
    private static long Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }

    // Loose bounds: the machine may be shared, so a spinning statement may get well under a core; an idle silo uses
    // next to none.
    public static Task WaitBusyAsync(int pid, string what) => WaitAsync(pid, cores => cores > 0.25, what);

    public static Task WaitIdleAsync(int pid, string what) => WaitAsync(pid, cores => cores < 0.1, what);

    private static async Task WaitAsync(int pid, Func<double, bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        var last = 0.0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            last = await CoresAsync(pid);
            if (condition(last))
            {
                return;
            }
        }
        Assert.Fail($"waited 20 s for {what}; the silo last used {last:F2} cores");
    }
}
