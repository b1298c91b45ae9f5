using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>
/// Mutated PostgreSQL protocol v3 traffic against a real silo's SQL gateway: damaged start-up packets, and
/// after a login, simple and extended-protocol messages with binary parameters of every decoded type, their
/// lengths and values pushed to extremes. Meanwhile an Npgsql client of another tenant checks that
/// <c>SELECT 1</c> keeps answering. Afterwards the silo must still serve, must not have logged an unhandled
/// exception, and its memory must come back down.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class PgWireFuzzTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const int QuietMs = RespFuzzTests.QuietMs;

    private const string Tenant = "pgfuzz";
    private const string TenantPassword = "pgfuzz-pw";
    private readonly TempDirectory _temp = new();
    private SiloProcess? _silo;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"), "--sql-auth", "password");
        using var admin = new AdminClient(_silo);
        await admin.CreateOrFailAsync(Tenant, TenantPassword);
        await admin.CreateOrFailAsync("probe", "probe-pw");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _silo!.DisposeAsync();
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task MutatedPgWireTrafficNeitherCrashesStallsNorKeepsMemory()
    {
        var silo = _silo!;
        var run = new FuzzRun(output, silo, FuzzBudget.FromEnvironment(TimeSpan.FromSeconds(12), 2));
        var probeConnection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = silo.SqlPort, Username = "probe", Password = "probe-pw", Database = "probe", Pooling = false,
        }.ConnectionString);
        await using var _ = probeConnection;
        await probeConnection.OpenAsync();
        await run.RunAsync("SELECT 1", token => SelectOne(probeConnection, token), (mutator, until) => Fuzz(silo.SqlPort, mutator, until));

        await using (var check = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = silo.SqlPort, Username = Tenant, Password = TenantPassword, Database = Tenant, Pooling = false,
        }.ConnectionString))
        {
            await check.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 40 + 2", check);
            Assert.Equal(42L, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }
        run.AssertNothingUnhandled();
    }

    private static async Task SelectOne(NpgsqlConnection connection, CancellationToken token)
    {
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        var value = await command.ExecuteScalarAsync(token);
        if (Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) != 1)
        {
            throw new InvalidOperationException($"SELECT 1 answered {value}");
        }
    }

    /// <summary>One worker: logs in (or sends a damaged start-up), then mutated message sequences; returns the inputs sent.</summary>
    private static long Fuzz(int port, Mutator mutator, DateTime until)
    {
        var random = mutator.Random;
        var corpus = Corpus();
        var buffer = new byte[64 * 1024];
        long sent = 0;
        TcpClient? client = null;
        var left = 0;
        try
        {
            while (DateTime.UtcNow < until)
            {
                if (client is null || left-- <= 0)
                {
                    client?.Dispose();
                    client = new TcpClient { NoDelay = true };
                    client.Connect("127.0.0.1", port);
                    left = random.Next(1, 30);
                    if (random.Next(6) == 0)
                    {
                        // A damaged start-up packet: the server must answer or close, never fall over.
                        Send(client, mutator.Mutate(StartupPacket(Tenant)), buffer);
                        sent++;
                        left = 0;
                        continue;
                    }
                    if (!LogIn(client, buffer))
                    {
                        left = 0;
                        continue;
                    }
                }
                var input = mutator.Pipeline(corpus, 4, mutateShare: 0.75);
                sent++;
                if (!Send(client, input, buffer))
                {
                    left = 0;
                }
            }
        }
        finally
        {
            client?.Dispose();
        }
        return sent;
    }

    /// <summary>Writes and drains until the server goes quiet; false when the server closed the connection.</summary>
    private static bool Send(TcpClient client, byte[] input, byte[] buffer)
    {
        try
        {
            var stream = client.GetStream();
            stream.Write(input);
            client.ReceiveTimeout = QuietMs;
            while (stream.Read(buffer) > 0)
            {
            }
            return false;
        }
        catch (IOException)
        {
            return client.Connected;
        }
    }

    private static bool LogIn(TcpClient client, byte[] buffer)
    {
        var stream = client.GetStream();
        client.ReceiveTimeout = 10_000;
        stream.Write(StartupPacket(Tenant));
        var n = stream.Read(buffer);
        if (n < 9 || buffer[0] != (byte)'R' || BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(5)) != 3)
        {
            throw new InvalidOperationException("the gateway did not ask for a cleartext password");
        }
        stream.Write(Message('p', Encoding.UTF8.GetBytes(TenantPassword + "\0")));
        // Read until ReadyForQuery ('Z', length 5, status) closes the start-up.
        var seen = new List<byte>();
        while (true)
        {
            n = stream.Read(buffer);
            if (n == 0)
            {
                return false;
            }
            seen.AddRange(buffer.AsSpan(0, n));
            if (seen.Count >= 6 && seen[^6] == (byte)'Z')
            {
                return true;
            }
        }
    }

    private static byte[] StartupPacket(string user)
    {
        var body = new List<byte>();
        body.AddRange(BigEndian(196608));
        body.AddRange(Encoding.UTF8.GetBytes($"user\0{user}\0database\0{user}\0application_name\0fuzz\0\0"));
        return [.. BigEndian(body.Count + 4), .. body];
    }

    private static byte[] Message(char type, byte[] body) => [(byte)type, .. BigEndian(body.Length + 4), .. body];

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Query(string sql) => Message('Q', Encoding.UTF8.GetBytes(sql + "\0"));

    /// <summary>Parse, Bind (binary parameters), Describe portal, Execute, Sync: one extended-protocol round.</summary>
    private static byte[] Extended(string sql, (int Oid, byte[]? Value)[] parameters, short resultFormat)
    {
        var parse = new List<byte>();
        parse.AddRange(Encoding.UTF8.GetBytes("\0" + sql + "\0"));
        parse.AddRange([(byte)(parameters.Length >> 8), (byte)parameters.Length]);
        foreach (var (oid, _) in parameters)
        {
            parse.AddRange(BigEndian(oid));
        }
        var bind = new List<byte> { 0, 0, 0, 1, 0, 1 }; // unnamed portal and statement; one format code: binary
        bind.AddRange([(byte)(parameters.Length >> 8), (byte)parameters.Length]);
        foreach (var (_, value) in parameters)
        {
            if (value is null)
            {
                bind.AddRange(BigEndian(-1));
            }
            else
            {
                bind.AddRange(BigEndian(value.Length));
                bind.AddRange(value);
            }
        }
        bind.AddRange([0, 1, (byte)(resultFormat >> 8), (byte)resultFormat]);
        return
        [
            .. Message('P', [.. parse]), .. Message('B', [.. bind]), .. Message('D', "P\0"u8.ToArray()),
            .. Message('E', [0, 0, 0, 0, 0]), .. Message('S', []),
        ];
    }

    private static List<byte[]> Corpus()
    {
        var float8 = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(float8, 92.0995);
        var float4 = new byte[4];
        BinaryPrimitives.WriteSingleBigEndian(float4, 1.5f);
        var uuid = Guid.NewGuid().ToByteArray();
        byte[] numeric = [0, 2, 0, 0, 0, 0, 0, 4, 0, 12, 0x0d, 0x00]; // 12.3328: two base-10000 digits, weight 0, scale 4
        return
        [
            Query("CREATE TABLE IF NOT EXISTS t(a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB, e BOOLEAN, f TIMESTAMP, g DATE, h NUMERIC)"),
            Query("INSERT INTO t(b, c, e) VALUES ('x', 1.5, true) ON CONFLICT DO NOTHING"),
            Query("SELECT * FROM t ORDER BY a LIMIT 20"),
            Query("SELECT ~5, 2 | 1, 'a' || 'b', length(randomblob(16)), json_extract('{\"a\":[1,2]}', '$.a[1]')"),
            Query("SELECT 1/0; SELECT 9223372036854775807 + 1; SELECT abs(-9223372036854775808)"),
            Query("BEGIN; INSERT INTO t(b) VALUES ('in tx'); SAVEPOINT s; INSERT INTO t(a) VALUES (1); ROLLBACK TO s; RELEASE s; COMMIT"),
            Query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 2000) SELECT count(*), sum(x) FROM c"),
            Query("SELECT a, row_number() OVER (ORDER BY a DESC), lag(b) OVER () FROM t LIMIT 10"),
            Query("SET statement_timeout = 2000; SHOW statement_timeout; SET application_name = 'fuzzed'"),
            Query("UPDATE t SET c = c * 2 WHERE a % 2 = 0; DELETE FROM t WHERE a > 200"),
            Query("ROLLBACK"),
            Extended("INSERT INTO t(b, c, g, f) VALUES ($1, $2, $3, $4)",
                [(25, "param"u8.ToArray()), (701, float8), (1082, BigEndian(9000)), (1114, BigEndian(700_000_000_000_000L))], 1),
            Extended("SELECT $1::int, $2::bigint, $3::smallint, $4", [(23, BigEndian(-5)), (20, BigEndian(long.MaxValue)), (21, [0x7f, 0xff]), (16, [1])], 1),
            Extended("SELECT $1, $2, $3", [(17, [0, 1, 2, 255]), (2950, uuid), (1700, numeric)], 0),
            Extended("SELECT $1, $2, $3", [(1184, BigEndian(long.MinValue)), (1082, BigEndian(int.MaxValue)), (700, float4)], 1),
            Extended("SELECT $1", [(114, "{\"k\":[1,2,3]}"u8.ToArray())], 0),
            Extended("SELECT * FROM t WHERE a = $1", [(20, null)], 1),
            Message('C', "Sfoo\0"u8.ToArray()),
            Message('H', []),
            Message('S', []),
        ];
    }
}
