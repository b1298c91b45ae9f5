using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces.Sql;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>The SQL session call encodings, and the numbers that reach the wire.</summary>
public sealed class SqlWireTests
{
    [Fact]
    public void Values_round_trip()
    {
        SqlValue[] values =
        [
            SqlValue.Null, SqlValue.FromInteger(0), SqlValue.FromInteger(-1), SqlValue.FromInteger(long.MinValue), SqlValue.FromInteger(long.MaxValue),
            SqlValue.FromReal(-0.0), SqlValue.FromReal(double.NaN), SqlValue.FromReal(1e300), SqlValue.FromText(""), SqlValue.FromText("ünïcode ☕"),
            SqlValue.FromBlob([]), SqlValue.FromBlob(new byte[70_000]),
        ];
        var w = new WireWriter();
        SqlWire.Values(w, values);
        var r = new WireReader(w.Written.Span);
        var decoded = SqlWire.Values(ref r);
        Assert.True(r.AtEnd);
        Assert.Equal(values.Length, decoded.Length);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i].Kind, decoded[i].Kind);
            Assert.Equal(values[i].Integer, decoded[i].Integer);
            Assert.Equal(BitConverter.DoubleToInt64Bits(values[i].Real), BitConverter.DoubleToInt64Bits(decoded[i].Real));
            Assert.True(values[i].Bytes.SequenceEqual(decoded[i].Bytes));
        }
    }

    [Fact]
    public void Small_integers_take_one_or_two_bytes()
    {
        var w = new WireWriter();
        SqlWire.Value(w, SqlValue.FromInteger(-64));
        Assert.Equal(2, w.Written.Length);
        SqlWire.Value(w, SqlValue.FromInteger(1000));
        Assert.Equal(5, w.Written.Length);
    }

    [Fact]
    public void Columns_and_errors_round_trip()
    {
        SqlColumn[] columns = [new("id", "INTEGER", SqlStorageClass.Integer, "t"), new("x", null, null)];
        var w = new WireWriter();
        SqlWire.Columns(w, columns);
        SqlWire.OptionalError(w, new SqlError(SqlStates.UniqueViolation, "UNIQUE constraint failed: t.k", 2067));
        SqlWire.OptionalError(w, null);
        var r = new WireReader(w.Written.Span);
        Assert.Equal(columns, SqlWire.Columns(ref r));
        Assert.Equal(new SqlError(SqlStates.UniqueViolation, "UNIQUE constraint failed: t.k", 2067), SqlWire.OptionalError(ref r));
        Assert.Null(SqlWire.OptionalError(ref r));
        Assert.True(r.AtEnd);
    }

    [Fact]
    public void A_lying_count_is_refused_before_it_allocates()
    {
        var w = new WireWriter();
        SqlWire.VarUInt(w, ulong.MaxValue);
        Assert.Throws<FormatException>(() =>
        {
            var r = new WireReader(w.Written.Span);
            SqlWire.Values(ref r);
        });
    }

    [Fact]
    public void Wire_numbers_do_not_change()
    {
        Assert.Equal(21, SqlCalls.Kind);
        Assert.Equal(
            [1, 2, 3, 4, 5, 6, 7, 8, 9],
            new[] { SqlCallOp.Open, SqlCallOp.Prepare, SqlCallOp.Execute, SqlCallOp.Fetch, SqlCallOp.CloseStatement, SqlCallOp.CloseCursor, SqlCallOp.Cancel, SqlCallOp.Close, SqlCallOp.KeepAlive }
                .Select(op => (int)op));
        Assert.Equal(
            [0, 1, 2, 3, 4],
            new[] { SqlCallStatus.Ok, SqlCallStatus.NotLeader, SqlCallStatus.NoSession, SqlCallStatus.Unavailable, SqlCallStatus.Failed }.Select(s => (int)s));
        Assert.Equal(1, (int)SqlCallFlags.FailFirst);
    }

    [Fact]
    public async Task The_directory_finds_placed_tenants_and_derives_scram_secrets()
    {
        var password = "s3cret"u8.ToArray();
        var hash = TenantPassword.Hash(password, 4096);
        var placed = new TenantPlacementInfo("shop", 100, [1, 2, 3], [1, 2, 3], DateTimeOffset.UnixEpoch, hash);
        await using var cluster = new SqlRoutingCluster();
        var directory = new ClusterSqlTenants(
            name => name == "shop" ? placed : null,
            (name, given) => ValueTask.FromResult(name == "shop" && given.Span.SequenceEqual(password)),
            cluster[2].Router,
            4096);
        Assert.NotNull(directory.Find("shop"));
        Assert.NotNull(directory.Find("default"));
        Assert.Null(directory.Find("nobody"));
        Assert.Null(directory.FindScramSecret("default"));
        // An unknown tenant gets a mock verifier: the same salt for every attempt at that name, the real iteration count.
        var mock = directory.FindScramSecret("nobody");
        Assert.NotNull(mock);
        Assert.Equal(4096, mock.Iterations);
        Assert.Equal(mock.Salt, directory.FindScramSecret("nobody")!.Salt);
        Assert.NotEqual(mock.Salt, directory.FindScramSecret("nobody-else")!.Salt);
        var secret = directory.FindScramSecret("shop");
        Assert.NotNull(secret);
        Assert.Equal(ScramSecret.FromSaltedPassword(hash.Salt, hash.Iterations, hash.Hash).StoredKey, secret.StoredKey);
        Assert.True(await directory.CheckPasswordAsync("shop", password));
        await using var session = await directory.Find("shop")!.OpenSessionAsync(new SqlSessionOptions(), CancellationToken.None);
        Assert.Equal("1", (await session.RunAsync("SELECT 1")).Scalar);
    }
}
