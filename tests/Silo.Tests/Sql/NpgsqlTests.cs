using Npgsql;
using NpgsqlTypes;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>Npgsql 10 against the SQL gateway over real TCP, without special connection settings.</summary>
public sealed class NpgsqlTests(SqlSiloFixture fixture) : IClassFixture<SqlSiloFixture>
{
    private static async Task<PostgresException> FailsWith(string sqlState, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<PostgresException>(action);
        Assert.Equal(sqlState, e.SqlState);
        return e;
    }

    private static async Task Exec(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task ConnectsWithScramRunsDdlAndDml()
    {
        await using var c = await fixture.OpenAsync();
        await Exec(c, "CREATE TABLE people(id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        await using (var insert = new NpgsqlCommand("INSERT INTO people(id, name) VALUES (1, 'ada'), (2, 'bob')", c))
        {
            Assert.Equal(2, await insert.ExecuteNonQueryAsync());
        }
        await using (var update = new NpgsqlCommand("UPDATE people SET name = upper(name)", c))
        {
            Assert.Equal(2, await update.ExecuteNonQueryAsync());
        }
        await using var select = new NpgsqlCommand("SELECT id, name FROM people ORDER BY id", c);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal("ADA", reader.GetString(1));
        Assert.True(await reader.ReadAsync());
        Assert.Equal("BOB", reader.GetString(1));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task AMessageLargerThanTheSocketsReadBufferArrivesWhole()
    {
        // The transport stops reading at 1 MiB the gateway has not taken: a 3 MB Bind must still complete.
        await using var c = await fixture.OpenAsync();
        await Exec(c, "CREATE TABLE blobs(id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
        var body = new string('b', 3 * 1024 * 1024);
        await using (var insert = new NpgsqlCommand("INSERT INTO blobs(id, body) VALUES (1, $1)", c))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = body, NpgsqlDbType = NpgsqlDbType.Text });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        await using var select = new NpgsqlCommand("SELECT length(body) FROM blobs WHERE id = 1", c);
        Assert.Equal(3L * 1024 * 1024, Convert.ToInt64(await select.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_savepoint_keeps_what_ran_before_it_when_a_later_statement_fails()
    {
        await using var c = await fixture.OpenAsync("alpha");
        await using var other = await fixture.OpenAsync("alpha");
        await SqlSavepoints.RecoverFromAnErrorAsync(c, other, "savepoint_ids");
    }

    [Fact]
    public async Task WrongPasswordAndForeignDatabaseAreRefused()
    {
        await FailsWith("28P01", async () =>
        {
            await using var c = new NpgsqlConnection(fixture.ConnectionString("alpha", password: "wrong"));
            await c.OpenAsync();
        });
        await FailsWith("3D000", async () =>
        {
            await using var c = new NpgsqlConnection(fixture.ConnectionString("alpha", database: "beta"));
            await c.OpenAsync();
        });
    }

    [Fact]
    public async Task ParametersOfEveryMappedTypeRoundTrip()
    {
        await using var c = await fixture.OpenAsync();
        await Exec(c, "CREATE TABLE typed(i2 SMALLINT, i4 INT4, i8 BIGINT, f4 FLOAT4, f8 DOUBLE PRECISION, n NUMERIC, t TEXT, v VARCHAR(20), b BOOLEAN, bin BYTEA, ts TIMESTAMP, u UUID, j JSON)");
        var guid = Guid.NewGuid();
        var when = new DateTime(2024, 2, 29, 13, 14, 15, 123, DateTimeKind.Unspecified).AddTicks(4560);
        await using (var insert = new NpgsqlCommand("INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", c))
        {
            insert.Parameters.Add(new NpgsqlParameter<short> { TypedValue = -12 });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 123456 });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = long.MaxValue });
            insert.Parameters.Add(new NpgsqlParameter<float> { TypedValue = 1.5f });
            insert.Parameters.Add(new NpgsqlParameter<double> { TypedValue = Math.PI });
            insert.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = 12345.678m });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "héllo" });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "var", NpgsqlDbType = NpgsqlDbType.Varchar });
            insert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = true });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = [0, 1, 2, 255] });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = when });
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = guid });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "{\"a\":1}", NpgsqlDbType = NpgsqlDbType.Json });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }
        await using var select = new NpgsqlCommand("SELECT * FROM typed", c);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((short)-12, reader.GetFieldValue<short>(0));
        Assert.Equal(123456, reader.GetFieldValue<int>(1));
        Assert.Equal(long.MaxValue, reader.GetFieldValue<long>(2));
        Assert.Equal(1.5f, reader.GetFieldValue<float>(3));
        Assert.Equal(Math.PI, reader.GetFieldValue<double>(4));
        Assert.Equal(12345.678m, reader.GetFieldValue<decimal>(5));
        Assert.Equal("héllo", reader.GetString(6));
        Assert.Equal("var", reader.GetString(7));
        Assert.True(reader.GetBoolean(8));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, reader.GetFieldValue<byte[]>(9));
        Assert.Equal(when, reader.GetDateTime(10));
        Assert.Equal(guid, reader.GetGuid(11));
        Assert.Equal("{\"a\":1}", reader.GetString(12));
    }

    [Fact]
    public async Task ErrorsCarryPostgresSqlStates()
    {
        await using var c = await fixture.OpenAsync();
        await Exec(c, "CREATE TABLE parent(id INTEGER PRIMARY KEY)");
        await Exec(c, "CREATE TABLE child(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id), qty INTEGER NOT NULL CHECK (qty > 0), code TEXT UNIQUE)");
        await Exec(c, "INSERT INTO parent VALUES (1)");
        await Exec(c, "INSERT INTO child VALUES (1, 1, 1, 'x')");
        await FailsWith("42601", () => Exec(c, "SELEC 1"));
        await FailsWith("42P01", () => Exec(c, "SELECT * FROM missing"));
        await FailsWith("42703", () => Exec(c, "SELECT nope FROM parent"));
        await FailsWith("23505", () => Exec(c, "INSERT INTO child VALUES (2, 1, 1, 'x')"));
        await FailsWith("23502", () => Exec(c, "INSERT INTO child VALUES (3, 1, NULL, 'y')"));
        await FailsWith("23514", () => Exec(c, "INSERT INTO child VALUES (4, 1, 0, 'z')"));
        await FailsWith("23503", () => Exec(c, "INSERT INTO child VALUES (5, 99, 1, 'w')"));
        // The connection is still usable after each error.
        await using var count = new NpgsqlCommand("SELECT count(*) FROM child", c);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task FailedTransactionRefusesCommandsUntilRollback()
    {
        await using var c = await fixture.OpenAsync();
        await Exec(c, "CREATE TABLE ledger(id INTEGER PRIMARY KEY)");
        await using (var tx = await c.BeginTransactionAsync())
        {
            await Exec(c, "INSERT INTO ledger VALUES (1)");
            await FailsWith("42P01", () => Exec(c, "SELECT * FROM nowhere"));
            await FailsWith("25P02", () => Exec(c, "INSERT INTO ledger VALUES (2)"));
            await tx.RollbackAsync();
        }
        await using (var tx = await c.BeginTransactionAsync())
        {
            await Exec(c, "INSERT INTO ledger VALUES (3)");
            await tx.CommitAsync();
        }
        await using var ids = new NpgsqlCommand("SELECT group_concat(id) FROM ledger", c);
        Assert.Equal("3", await ids.ExecuteScalarAsync());
    }

    [Fact]
    public async Task PreparedStatementIsReusedAndBatchesRun()
    {
        await using var c = await fixture.OpenAsync();
        await Exec(c, "CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER)");
        await using (var insert = new NpgsqlCommand("INSERT INTO kv VALUES ($1, $2)", c))
        {
            var k = new NpgsqlParameter<string> { TypedValue = "" };
            var v = new NpgsqlParameter<long> { TypedValue = 0 };
            insert.Parameters.Add(k);
            insert.Parameters.Add(v);
            await insert.PrepareAsync();
            for (var i = 0; i < 20; i++)
            {
                k.TypedValue = $"k{i}";
                v.TypedValue = i;
                Assert.Equal(1, await insert.ExecuteNonQueryAsync());
            }
        }
        await using (var sum = new NpgsqlCommand("SELECT sum(v), count(*) FROM kv", c))
        {
            await sum.PrepareAsync();
            for (var round = 0; round < 2; round++)
            {
                await using var reader = await sum.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                Assert.Equal(190L, reader.GetInt64(0));
                Assert.Equal(20L, reader.GetInt64(1));
            }
        }
        await using var batch = new NpgsqlBatch(c)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("UPDATE kv SET v = v + 1 WHERE k = 'k1'"),
                new NpgsqlBatchCommand("DELETE FROM kv WHERE k = 'k2'"),
                new NpgsqlBatchCommand("SELECT v FROM kv WHERE k = 'k1'"),
            },
        };
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(2L, reader.GetInt64(0));
        }
        Assert.Equal(1, batch.BatchCommands[0].RecordsAffected);
        Assert.Equal(1, batch.BatchCommands[1].RecordsAffected);
    }

    [Fact]
    public async Task AnIdleTransactionIsEndedSoOtherWritersGoOn()
    {
        await using var idle = await fixture.OpenAsync();
        await Exec(idle, "CREATE TABLE IF NOT EXISTS idle_rows(id INTEGER PRIMARY KEY)");
        await Exec(idle, "SET idle_in_transaction_session_timeout = 300");
        await using (var show = new NpgsqlCommand("SHOW idle_in_transaction_session_timeout", idle))
        {
            Assert.Equal("300", await show.ExecuteScalarAsync());
        }
        await Exec(idle, "BEGIN");
        await Exec(idle, "INSERT INTO idle_rows VALUES (1)");

        // The idle transaction holds the tenant's write lock until the timeout ends it; then this write goes through.
        await using var other = await fixture.OpenAsync();
        await Exec(other, "INSERT INTO idle_rows VALUES (2)").WaitAsync(TimeSpan.FromSeconds(20));

        var ended = await Assert.ThrowsAnyAsync<NpgsqlException>(() => Exec(idle, "COMMIT"));
        Assert.True(ended is PostgresException { SqlState: "25P03" } || ended.InnerException is not null, ended.ToString());
        await using var count = new NpgsqlCommand("SELECT group_concat(id) FROM idle_rows", other);
        Assert.Equal("2", await count.ExecuteScalarAsync());
        await FailsWith("22023", () => Exec(other, "SET idle_in_transaction_session_timeout = 'soon'"));
    }

    [Fact]
    public async Task CancelStopsALongQuery()
    {
        await using var c = await fixture.OpenAsync();
        await using var cmd = new NpgsqlCommand("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000000) SELECT count(*) FROM n", c);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cmd.ExecuteScalarAsync(cts.Token));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"the cancel took {started.Elapsed}");
        Assert.Equal("57014", Assert.IsType<PostgresException>(e.InnerException).SqlState);
        await using var after = new NpgsqlCommand("SELECT 41 + 1", c);
        Assert.Equal(42L, await after.ExecuteScalarAsync());
    }

    [Fact]
    public async Task TenantsAreIsolatedAndOtherFilesAreRefused()
    {
        await using var a = await fixture.OpenAsync("alpha");
        await using var b = await fixture.OpenAsync("beta");
        await Exec(a, "CREATE TABLE secrets(x TEXT)");
        await Exec(a, "INSERT INTO secrets VALUES ('alpha only')");
        await FailsWith("42P01", () => Exec(b, "SELECT * FROM secrets"));
        await FailsWith("42501", () => Exec(b, "ATTACH DATABASE '../alpha/tables.sqlite' AS other"));
        await FailsWith("42501", () => Exec(b, "SELECT load_extension('x')"));
        await FailsWith("42501", () => Exec(b, "VACUUM INTO '/tmp/copy.sqlite'"));
        await FailsWith("42501", () => Exec(b, "PRAGMA journal_mode=DELETE"));
        await using var read = new NpgsqlCommand("SELECT x FROM secrets", a);
        Assert.Equal("alpha only", await read.ExecuteScalarAsync());
    }
}
