using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace IceFire.Silo.Tests.Sql;

/// <summary>
/// What a client receives for SQLite's values: SQLite's own operators, and for each column a RowDescription type
/// that every value sent in it parses as (simple protocol through <see cref="PgWire"/>, extended through Npgsql).
/// </summary>
public sealed class PgValueTypesTests(OpenSqlSiloFixture fixture) : IClassFixture<OpenSqlSiloFixture>
{
    private const uint Int8 = 20, Text = 25, Float8 = 701, Numeric = 1700, Bool = 16, Bytea = 17;

    private static string? Field(PgWire.Result result, int row, int column) =>
        result.Rows[row][column] is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    private static string J(params string?[] values) => string.Join("|", values.Select(v => v ?? "NULL"));

    private static PgWire.Result Single(List<PgWire.Result> results)
    {
        var result = Assert.Single(results);
        Assert.True(result.SqlState is null, $"{result.SqlState}: {result.Message}");
        return result;
    }

    [Fact]
    public async Task A_prefix_tilde_is_bitwise_not_and_a_binary_one_a_regex_match()
    {
        await using var wire = await fixture.WireAsync();
        var not = Single(await wire.QueryAsync("select ~5"));
        Assert.Equal("-6", Field(not, 0, 0));
        var pair = Single(await wire.QueryAsync("select 2, ~(5), 1 + ~0"));
        Assert.Equal(J("2", "-6", "0"), J(Field(pair, 0, 0), Field(pair, 0, 1), Field(pair, 0, 2)));
        var match = Single(await wire.QueryAsync("select 'abc' ~ 'b', 'ABC' ~* 'b', 'ABC' ~ 'b', 'ABC' !~* 'b'"));
        Assert.Equal(J("1", "1", "0", "0"), J(Field(match, 0, 0), Field(match, 0, 1), Field(match, 0, 2), Field(match, 0, 3)));
    }

    [Fact]
    public async Task Blob_and_untyped_columns_send_bytea_only_for_blobs()
    {
        await using var wire = await fixture.WireAsync();
        Single(await wire.QueryAsync("create table vt_blobs(b BLOB, u)"));
        Single(await wire.QueryAsync("insert into vt_blobs values (7, 'seven')"));
        var numbers = Single(await wire.QueryAsync("select b, u from vt_blobs"));
        Assert.Equal([Int8, Text], numbers.Columns.Select(c => c.Oid));
        Assert.Equal(J("7", "seven"), J(Field(numbers, 0, 0), Field(numbers, 0, 1)));
        Single(await wire.QueryAsync("insert into vt_blobs values (x'0aff', x'00')"));
        var mixed = Single(await wire.QueryAsync("select b, u from vt_blobs order by rowid"));
        Assert.Equal([Text, Text], mixed.Columns.Select(c => c.Oid));
        Assert.Equal(J("7", "\\x0aff"), J(Field(mixed, 0, 0), Field(mixed, 1, 0)));
        var blobs = Single(await wire.QueryAsync("select b from vt_blobs where typeof(b) = 'blob'"));
        Assert.Equal(Bytea, blobs.Columns[0].Oid);
        Assert.Equal("\\x0aff", Field(blobs, 0, 0));
    }

    [Fact]
    public async Task A_boolean_column_is_bool_only_while_it_holds_0_and_1()
    {
        await using var wire = await fixture.WireAsync();
        Single(await wire.QueryAsync("create table vt_flags(id INTEGER PRIMARY KEY, f BOOLEAN)"));
        Single(await wire.QueryAsync("insert into vt_flags values (1, true), (2, 0), (3, NULL)"));
        var clean = Single(await wire.QueryAsync("select f from vt_flags order by id"));
        Assert.Equal(Bool, clean.Columns[0].Oid);
        Assert.Equal(J("t", "f", null), J(Field(clean, 0, 0), Field(clean, 1, 0), Field(clean, 2, 0)));
        Single(await wire.QueryAsync("insert into vt_flags values (4, 2)"));
        var two = Single(await wire.QueryAsync("select f from vt_flags where f is not null order by id"));
        Assert.Equal(Int8, two.Columns[0].Oid);
        Assert.Equal(J("1", "0", "2"), J(Field(two, 0, 0), Field(two, 1, 0), Field(two, 2, 0)));
        Single(await wire.QueryAsync("insert into vt_flags values (5, 'yes'), (6, 'true')"));
        var words = Single(await wire.QueryAsync("select f from vt_flags where id >= 4 order by id"));
        Assert.Equal(Text, words.Columns[0].Oid);
        Assert.Equal(J("2", "yes", "true"), J(Field(words, 0, 0), Field(words, 1, 0), Field(words, 2, 0)));
    }

    [Fact]
    public async Task A_column_holding_another_storage_class_is_described_by_its_values()
    {
        await using var wire = await fixture.WireAsync();
        Single(await wire.QueryAsync("create table vt_mixed(id INTEGER PRIMARY KEY, i INTEGER, r REAL)"));
        Single(await wire.QueryAsync("insert into vt_mixed values (1, 92.0995, 'n/a'), (2, 3, 1e300)"));
        var result = Single(await wire.QueryAsync("select i, r from vt_mixed order by id"));
        Assert.Equal([Numeric, Text], result.Columns.Select(c => c.Oid));
        Assert.Equal(J("92.0995", "n/a"), J(Field(result, 0, 0), Field(result, 0, 1)));
        Assert.Equal(J("3", "1E+300"), J(Field(result, 1, 0), Field(result, 1, 1)));
        var reals = Single(await wire.QueryAsync("select r from vt_mixed where id = 2"));
        Assert.Equal(Float8, reals.Columns[0].Oid);

        await using var c = await fixture.OpenAsync();
        await using (var create = new NpgsqlCommand("create table vt_mixed2(id INTEGER PRIMARY KEY, i INTEGER, r REAL); insert into vt_mixed2 values (1, 92.0995, 1e300)", c))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var select = new NpgsqlCommand("select i, r from vt_mixed2", c);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(92.0995, reader.GetValue(0));
        Assert.Equal(1e300, reader.GetValue(1));
    }

    [Fact]
    public async Task An_aggregate_whose_first_row_is_null_is_typed_by_the_rows_after()
    {
        await using var wire = await fixture.WireAsync();
        Single(await wire.QueryAsync("create table vt_sums(g INTEGER, x INTEGER)"));
        Single(await wire.QueryAsync("insert into vt_sums values (1, NULL), (2, 5), (2, 6)"));
        var result = Single(await wire.QueryAsync("select g, sum(x) from vt_sums group by g order by g"));
        Assert.Equal(Int8, result.Columns[1].Oid);
        Assert.Equal(J(null, "11"), J(Field(result, 0, 1), Field(result, 1, 1)));

        await using var c = await fixture.OpenAsync();
        await using (var create = new NpgsqlCommand("create table vt_sums(g INTEGER, x INTEGER); insert into vt_sums values (1, NULL), (2, 5), (2, 6)", c))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var select = new NpgsqlCommand("select g, sum(x) from vt_sums group by g order by g", c);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.IsDBNull(1));
        Assert.True(await reader.ReadAsync());
        Assert.Equal(11L, reader.GetValue(1));
    }

    [Fact]
    public async Task A_binary_date_or_timestamp_infinity_is_stored_and_out_of_range_answers_22008()
    {
        await using var wire = await fixture.WireAsync();
        async Task<PgWire.Result> Bound(uint oid, byte[] value)
        {
            var results = await wire.SendAsync(PgWire.Parse("select $1", oid), PgWire.BindBinary(value), PgWire.DescribePortal(), PgWire.Execute(), PgWire.Sync());
            return Assert.Single(results);
        }
        const uint date = 1082, timestamp = 1114, timestamptz = 1184;
        Assert.Equal("infinity", Field(await Bound(date, PgWire.Int32(int.MaxValue)), 0, 0));
        Assert.Equal("-infinity", Field(await Bound(date, PgWire.Int32(int.MinValue)), 0, 0));
        Assert.Equal("infinity", Field(await Bound(timestamp, PgWire.Int64(long.MaxValue)), 0, 0));
        Assert.Equal("-infinity", Field(await Bound(timestamp, PgWire.Int64(long.MinValue)), 0, 0));
        Assert.Equal("infinity", Field(await Bound(timestamptz, PgWire.Int64(long.MaxValue)), 0, 0));
        Assert.Equal("-infinity", Field(await Bound(timestamptz, PgWire.Int64(long.MinValue)), 0, 0));
        Assert.Equal("2000-01-02", Field(await Bound(date, PgWire.Int32(1)), 0, 0));

        var farDate = await Bound(date, PgWire.Int32(int.MaxValue - 1));
        Assert.Equal(("22008", "date out of range"), (farDate.SqlState, farDate.Message));
        var farTimestamp = await Bound(timestamp, PgWire.Int64(200_000L * 365 * 86_400 * 1_000_000));
        Assert.Equal(("22008", "timestamp out of range"), (farTimestamp.SqlState, farTimestamp.Message));
        var early = await Bound(timestamptz, PgWire.Int64(-200_000L * 365 * 86_400 * 1_000_000));
        Assert.Equal(("22008", "timestamp out of range"), (early.SqlState, early.Message));

        // The connection is kept, and answers.
        Assert.Equal("1", Field(Single(await wire.QueryAsync("select 1")), 0, 0));
    }

    [Fact]
    public async Task Malformed_binary_and_text_parameters_answer_their_sqlstate_and_keep_the_connection()
    {
        await using var wire = await fixture.WireAsync();
        async Task<string?> State(uint oid, byte[] value, bool binary = true)
        {
            var bind = binary ? PgWire.BindBinary(value) : BindText(value);
            var results = await wire.SendAsync(PgWire.Parse("select $1", oid), bind, PgWire.Execute(), PgWire.Sync());
            return Assert.Single(results).SqlState;
        }
        Assert.Equal("08P01", await State(23, [0, 0, 1]));
        Assert.Equal("22P03", await State(23, [0, 0, 0, 1, 2]));
        Assert.Equal("08P01", await State(1082, [0, 1]));
        Assert.Equal("08P01", await State(1114, [0, 0, 0, 1]));
        Assert.Equal("22P03", await State(1700, [0, 1, 0, 0, 0x12, 0x34, 0, 0, 0x27, 0x10]));
        Assert.Equal("22021", await State(25, [0x66, 0xff]));
        Assert.Equal("22003", await State(21, "70000"u8.ToArray(), binary: false));
        Assert.Equal("22003", await State(23, "2147483648"u8.ToArray(), binary: false));
        Assert.Equal("22P02", await State(20, "12x"u8.ToArray(), binary: false));
        Assert.Equal("22003", await State(701, "1e999"u8.ToArray(), binary: false));
        Assert.Equal("22P02", await State(114, "{nope"u8.ToArray(), binary: false));
        Assert.Equal("1", Field(Single(await wire.QueryAsync("select 1")), 0, 0));
    }

    private static byte[] BindText(byte[] value)
    {
        var body = new List<byte> { 0, 0 };
        body.AddRange(PgWire.Int16(0));
        body.AddRange(PgWire.Int16(1));
        body.AddRange(PgWire.Int32(value.Length));
        body.AddRange(value);
        body.AddRange(PgWire.Int16(0));
        var message = new List<byte> { (byte)'B' };
        message.AddRange(PgWire.Int32(4 + body.Count));
        message.AddRange(body);
        return [.. message];
    }
}
