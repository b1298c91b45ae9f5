using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>
/// Damage on disk, as a failing disk or a stray write would leave it: one changed byte inside a stored value of a
/// stopped silo's LMDB file, a truncated tables.sqlite. The silo must never serve altered bytes, `icefire check`
/// must find the damage without writing, and a damaged SQL file must stop the start.
/// </summary>
public sealed class IntegrityTests : IDisposable
{
    private const string Password = "integrity-pw";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AChangedByteInAStringAHashFieldAndAListElementAnswersTheChecksumErrorNamingTheKey()
    {
        var data = _temp.Sub("data");
        await WriteAndStopAsync(data, socket =>
        {
            Assert.Equal("+OK\r\n", socket.Call("SET", "plain", "STRINGVALUE-7f3a9c1e"));
            Assert.Equal(":2\r\n", socket.Call("HSET", "profile", "name", "HASHFIELD-5d2b8e4f", "age", "41"));
            Assert.Equal(":3\r\n", socket.Call("RPUSH", "queue", "first", "LISTELEMENT-9a6c3d7b", "third"));
            Assert.Equal("+OK\r\n", socket.Call("SET", "healthy", "still-good"));
        });
        var file = Path.Combine(SiloProcess.TenantDirectory(data, "default")!, "data.mdb");
        FlipByteInside(file, "STRINGVALUE-7f3a9c1e");
        FlipByteInside(file, "HASHFIELD-5d2b8e4f");
        FlipByteInside(file, "LISTELEMENT-9a6c3d7b");

        await using var silo = await SiloProcess.StartAsync(data);
        using var socket = RespSocket.Connect(silo.Port);
        Assert.Equal("-ERR stored value of key 'plain' failed its checksum: the data directory is damaged\r\n", socket.Call("GET", "plain"));
        Assert.Equal("-ERR stored value of key 'profile' failed its checksum: the data directory is damaged\r\n", socket.Call("HGET", "profile", "name"));
        Assert.Equal("-ERR stored value of key 'profile' failed its checksum: the data directory is damaged\r\n", socket.Call("HGETALL", "profile"));
        Assert.Equal("-ERR stored value of key 'queue' failed its checksum: the data directory is damaged\r\n", socket.Call("LRANGE", "queue", "0", "-1"));
        Assert.Equal("-ERR stored value of key 'queue' failed its checksum: the data directory is damaged\r\n", socket.Call("LINDEX", "queue", "1"));
        // The rest of the dataset, and of the damaged collections, is served as before.
        Assert.Equal("$10\r\nstill-good\r\n", socket.Call("GET", "healthy"));
        Assert.Equal("$2\r\n41\r\n", socket.Call("HGET", "profile", "age"));
        Assert.Equal("$5\r\nfirst\r\n", socket.Call("LINDEX", "queue", "0"));
        Assert.Equal("+OK\r\n", socket.Call("SET", "new", "value"));
        Assert.Equal("$5\r\nvalue\r\n", socket.Call("GET", "new"));
        Assert.Contains("icefire_checksum_failures:5", socket.Call("INFO", "persistence"));
        // Logged once per key, with the tenant and the database, though GET asked again.
        Assert.Equal("$-1\r\n", socket.Call("GET", "missing"));
        Assert.Equal("-ERR stored value of key 'plain' failed its checksum: the data directory is damaged\r\n", socket.Call("GET", "plain"));
        // The process's standard error reaches the test asynchronously.
        Eventually.WaitUntil(
            () => silo.StandardError.Contains("key 'plain'", StringComparison.Ordinal) && silo.StandardError.Contains("key 'profile'", StringComparison.Ordinal) &&
                  silo.StandardError.Contains("key 'queue'", StringComparison.Ordinal),
            "the damage of the three keys is logged", detail: () => "standard error:\n" + silo.StandardError);
        var log = silo.StandardError;
        Assert.Single(Lines(log, "tenant 'default' db 0 key 'plain'"));
        Assert.Single(Lines(log, "tenant 'default' db 0 key 'profile'"));
        Assert.Single(Lines(log, "tenant 'default' db 0 key 'queue'"));
        Assert.DoesNotContain("STRINGVALUE", log + silo.StandardOutput);
    }

    [Fact]
    public async Task CheckFindsTheDamageExitsNonZeroAndWritesNothing()
    {
        var data = _temp.Sub("data");
        await WriteAndStopAsync(data, socket =>
        {
            Assert.Equal("+OK\r\n", socket.Call("SET", "plain", "STRINGVALUE-1c9e5a3f"));
            Assert.Equal(":1\r\n", socket.Call("SADD", "tags", "SETMEMBER-4e7b2d9a"));
            Assert.Equal("+OK\r\n", socket.Call("SET", "healthy", "fine"));
        });
        var healthy = await RunCheckAsync(data);
        Assert.True(healthy.ExitCode == 0, healthy.Output);
        Assert.Contains("no damage found", healthy.Output);
        Assert.Contains("tenant 'default': keyspace format 2, 3 keys", healthy.Output);

        var file = Path.Combine(SiloProcess.TenantDirectory(data, "default")!, "data.mdb");
        FlipByteInside(file, "STRINGVALUE-1c9e5a3f");
        FlipByteInside(file, "SETMEMBER-4e7b2d9a");
        var before = Snapshot(data);
        var damaged = await RunCheckAsync(data);
        Assert.True(damaged.ExitCode == 1, damaged.Output);
        Assert.Contains("DAMAGED  tenant 'default' db 0 key 'plain': stored value failed its checksum", damaged.Output);
        Assert.Contains("DAMAGED  tenant 'default' db 0 key 'tags': a member record failed its checksum", damaged.Output);
        Assert.DoesNotContain("key 'healthy'", damaged.Output);
        Assert.Contains("2 damaged", damaged.Output);
        Assert.Equal(before, Snapshot(data));
    }

    [Fact]
    public async Task CheckRefusesADirectoryARunningSiloHolds()
    {
        var data = _temp.Sub("data");
        await using var silo = await SiloProcess.StartAsync(data);
        var check = await RunCheckAsync(data);
        Assert.True(check.ExitCode == 2, check.Output);
        Assert.Contains("in use by a running IceFire process", check.Output);
        Assert.Equal("PONG", await RedisCli.RunAsync(silo.Port, "ping"));
    }

    [Fact]
    public async Task ATruncatedTablesFileStopsTheStartAndIsLeftAsItWas()
    {
        var data = _temp.Sub("data");
        await using (var silo = await SiloProcess.StartAsync(data, true, "--requirepass", Password))
        {
            var connection = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = await WaitForSqlPortAsync(silo),
                Username = "default",
                Password = Password,
                Database = "default",
                Pooling = false,
            }.ConnectionString;
            await using var c = new NpgsqlConnection(connection);
            await c.OpenAsync();
            await using (var create = new NpgsqlCommand("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)", c))
            {
                await create.ExecuteNonQueryAsync();
            }
            await using (var insert = new NpgsqlCommand("WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < 400) INSERT INTO t (body) SELECT printf('%0500d', x) FROM s", c))
            {
                await insert.ExecuteNonQueryAsync();
            }
            await c.CloseAsync();
            silo.Terminate();
            Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        var tables = Path.Combine(SiloProcess.TenantDirectory(data, "default")!, "tables.sqlite");
        var whole = await File.ReadAllBytesAsync(tables);
        Assert.True(whole.Length > 64 * 1024, $"tables.sqlite has only {whole.Length} bytes");
        await File.WriteAllBytesAsync(tables, whole[..(whole.Length / 2)]);
        var before = Snapshot(data);
        await using (var silo = await SiloProcess.StartAsync(data, false, "--requirepass", Password))
        {
            Assert.Equal(1, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("cannot start", silo.StandardError);
            Assert.Contains(tables, silo.StandardError);
            Assert.Contains("is damaged", silo.StandardError);
        }
        Assert.Equal(before, Snapshot(data));
        var check = await RunCheckAsync(data);
        Assert.True(check.ExitCode == 1, check.Output);
        Assert.Contains($"DAMAGED  tenant 'default': {tables}", check.Output);
    }

    private static async Task WriteAndStopAsync(string data, Action<RespSocket> write)
    {
        await using var silo = await SiloProcess.StartAsync(data);
        using (var socket = RespSocket.Connect(silo.Port))
        {
            write(socket);
        }
        silo.Terminate();
        Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// Changes one bit inside every copy of <paramref name="pattern"/> in the file: LMDB's copy-on-write leaves older
    /// copies on free pages, and the live one is among them.
    /// </summary>
    private static void FlipByteInside(string file, string pattern)
    {
        var bytes = File.ReadAllBytes(file);
        var needle = Encoding.ASCII.GetBytes(pattern);
        var found = 0;
        for (var at = bytes.AsSpan().IndexOf(needle); at >= 0;)
        {
            bytes[at + 5] ^= 0x01;
            found++;
            var next = bytes.AsSpan(at + 1).IndexOf(needle);
            at = next < 0 ? -1 : at + 1 + next;
        }
        Assert.True(found > 0, $"'{pattern}' is not in {file}");
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>Every file under <paramref name="directory"/> with its SHA-256 and modification time.</summary>
    private static List<string> Snapshot(string directory) =>
        Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{f} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))} {File.GetLastWriteTimeUtc(f):O}")
            .ToList();

    private static IEnumerable<string> Lines(string text, string containing) =>
        text.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal));

    private static async Task<int> WaitForSqlPortAsync(SiloProcess silo)
    {
        await silo.WaitReadyAsync();
        return silo.SqlPort;
    }

    private static async Task<(int ExitCode, string Output)> RunCheckAsync(string data)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IceFire.Silo.dll"));
        info.ArgumentList.Add("check");
        info.ArgumentList.Add("--data");
        info.ArgumentList.Add(data);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
