using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces.Sql;
using Orleans.Concurrency;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>The arguments and answers of the SQL session calls through Orleans' serializer, and the numbers that reach the wire.</summary>
public sealed class SqlCallSerializationTests
{
    private static readonly SqlValue[] Values =
    [
        SqlValue.Null, SqlValue.FromInteger(0), SqlValue.FromInteger(-1), SqlValue.FromInteger(long.MinValue), SqlValue.FromInteger(long.MaxValue),
        SqlValue.FromReal(-0.0), SqlValue.FromReal(double.NaN), BitsNaN(), SqlValue.FromReal(1e300), SqlValue.FromReal(double.NegativeInfinity),
        SqlValue.FromReal(double.Epsilon), SqlValue.FromText(""), SqlValue.FromText("ünïcode ☕"), SqlValue.FromUtf8([0xff, 0x00]),
        SqlValue.FromBlob([]), SqlValue.FromBlob(new byte[70_000]), SqlValue.FromBlob([0, 1, 2, 255]),
    ];

    [Fact]
    public void Values_round_trip_exactly()
    {
        AssertSameValues(Values, SqlCallSerialization.RoundTrip(Values));
        AssertSameValues(Values, SqlCallSerialization.RoundTrip(new Immutable<SqlValue[]>(Values)).Value);
    }

    [Fact]
    public void Columns_and_errors_round_trip()
    {
        SqlColumn[] columns = [new("id", "INTEGER", SqlStorageClass.Integer, "t"), new("x", null, null), new("b", "BLOB", SqlStorageClass.Blob)];
        Assert.Equal(columns, SqlCallSerialization.RoundTrip(columns));
        var error = new SqlError(SqlStates.UniqueViolation, "UNIQUE constraint failed: t.k", 2067);
        Assert.Equal(error, SqlCallSerialization.RoundTrip(error));
        Assert.Null(SqlCallSerialization.RoundTrip<SqlError?>(null));
    }

    [Fact]
    public void Requests_and_answers_round_trip()
    {
        var open = new SqlOpenRequest(3, "shop", "CREATE TEMP TABLE x(a)", [new SqlFunctionName("answer", 0), new SqlFunctionName("any", -1)]);
        var openBack = SqlCallSerialization.RoundTrip(open);
        Assert.Equal((open.Origin, open.Tenant, open.SetupSql), (openBack.Origin, openBack.Tenant, openBack.SetupSql));
        Assert.Equal(open.Functions, openBack.Functions);
        Assert.Equal(new SqlOpenReply(SqlCallStatus.NotLeader, "not here", LeaderHint: 7), SqlCallSerialization.RoundTrip(new SqlOpenReply(SqlCallStatus.NotLeader, "not here", LeaderHint: 7)));
        var opened = new SqlOpenReply(SqlCallStatus.Ok, "", ulong.MaxValue, SqlTransactionState.InTransaction);
        Assert.Equal(opened, SqlCallSerialization.RoundTrip(opened));

        var session = new SqlSessionCall(42, FailFirst: true, StatementTimeout: TimeSpan.FromMilliseconds(1500));
        Assert.Equal(session, SqlCallSerialization.RoundTrip(session));
        Assert.Equal(new SqlSessionCall(1), SqlCallSerialization.RoundTrip(new SqlSessionCall(1)));

        var prepared = new SqlPrepareReply(
            SqlCallStatus.Ok, "", SqlTransactionState.Failed, 12,
            new SqlPreparedStatement(9, "SELECT ?1", 1, "SELECT", true, [new SqlColumn("?1", null, null)]));
        var preparedBack = SqlCallSerialization.RoundTrip(prepared);
        Assert.Equal((prepared.Status, prepared.State, prepared.TailOffset), (preparedBack.Status, preparedBack.State, preparedBack.TailOffset));
        Assert.Equal(prepared.Statement! with { Columns = [] }, preparedBack.Statement! with { Columns = [] });
        Assert.Equal(prepared.Statement!.Columns, preparedBack.Statement!.Columns);

        var executed = new SqlExecuteReply(
            SqlCallStatus.Ok, "", SqlTransactionState.Idle, null, [new SqlColumn("v", null, SqlStorageClass.Real)], 5,
            new SqlRowChunk([Values, [], [SqlValue.FromInteger(1)]], null));
        var executedBack = SqlCallSerialization.RoundTrip(executed);
        Assert.Equal((executed.Cursor, executed.Error), (executedBack.Cursor, executedBack.Error));
        Assert.Equal(executed.Columns, executedBack.Columns);
        Assert.Null(executedBack.Chunk!.End);
        Assert.Equal(3, executedBack.Chunk.Rows.Length);
        AssertSameValues(Values, executedBack.Chunk.Rows[0]);
        Assert.Empty(executedBack.Chunk.Rows[1]);

        var end = new SqlCompletion(long.MaxValue, -1, "INSERT", new SqlError(SqlStates.InternalError, "boom", 1));
        var fetched = SqlCallSerialization.RoundTrip(new SqlFetchReply(SqlCallStatus.Ok, "", SqlTransactionState.InTransaction, new SqlRowChunk([], end)));
        Assert.Equal(SqlTransactionState.InTransaction, fetched.State);
        Assert.Equal(end, fetched.Chunk!.End);
        Assert.Equal(new SqlFetchResult(false, long.MaxValue, -1, "INSERT", end.Error), fetched.Chunk.End!.Result);

        Assert.Equal(SqlSessionReply.Refused(SqlCallStatus.NoSession, "gone"), SqlCallSerialization.RoundTrip(SqlSessionReply.Refused(SqlCallStatus.NoSession, "gone")));
        Assert.Equal([2UL, ulong.MaxValue], SqlCallSerialization.RoundTrip(new SqlKeepAliveReply([2, ulong.MaxValue])).Unknown);
    }

    [Fact]
    public void Statuses_and_states_keep_their_numbers()
    {
        Assert.Equal(
            [0, 1, 2, 3],
            new[] { SqlCallStatus.Ok, SqlCallStatus.NotLeader, SqlCallStatus.NoSession, SqlCallStatus.Unavailable }.Select(s => (int)s));
        foreach (var state in new[] { SqlTransactionState.Idle, SqlTransactionState.InTransaction, SqlTransactionState.Failed })
        {
            Assert.Equal(state, SqlCallSerialization.RoundTrip(state));
        }
        foreach (var status in new[] { SqlCallStatus.Ok, SqlCallStatus.NotLeader, SqlCallStatus.NoSession, SqlCallStatus.Unavailable })
        {
            Assert.Equal(status, SqlCallSerialization.RoundTrip(status));
        }
    }

    /// <summary>A NaN with a payload of its own, which must cross bit for bit.</summary>
    private static SqlValue BitsNaN() => SqlValue.FromReal(BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_1234UL)));

    private static void AssertSameValues(SqlValue[] expected, SqlValue[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Kind, actual[i].Kind);
            Assert.Equal(expected[i].Integer, actual[i].Integer);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i].Real), BitConverter.DoubleToInt64Bits(actual[i].Real));
            Assert.True(expected[i].Bytes.SequenceEqual(actual[i].Bytes), $"value {i}'s bytes differ");
        }
    }
}
