using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Tests.Support;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>The SQL session calls through Orleans' serializer (<see cref="CallSerialization"/>), warmed before a test's calls run.</summary>
internal static class SqlCallSerialization
{
    /// <summary>
    /// Builds the serializer and the codecs of every answer, which takes a while the first time in a process: done
    /// before a test's calls run, so none of them spends its request timeout on it.
    /// </summary>
    public static void Warm()
    {
        var columns = new[] { new SqlColumn("x", null, SqlStorageClass.Text) };
        var chunk = new SqlRowChunk([[SqlValue.FromText("x"), SqlValue.Null]], new SqlCompletion(1, 0, "SELECT", new SqlError("XX000", "x")));
        RoundTrip(new SqlOpenReply(SqlCallStatus.Ok, ""));
        RoundTrip(new SqlPrepareReply(SqlCallStatus.Ok, "", SqlTransactionState.Idle, 0, new SqlPreparedStatement(1, "x", 0, "SELECT", true, columns)));
        RoundTrip(new SqlExecuteReply(SqlCallStatus.Ok, "", SqlTransactionState.Idle, null, columns, 1, chunk));
        RoundTrip(new SqlFetchReply(SqlCallStatus.Ok, "", SqlTransactionState.Idle, chunk));
        RoundTrip(new SqlSessionReply(SqlCallStatus.Ok, "", SqlTransactionState.Idle));
        RoundTrip(new SqlKeepAliveReply([1]));
        RoundTrip(SqlCallStatus.Ok);
    }

    /// <summary><paramref name="value"/> after a trip through the serializer: what the other silo reads.</summary>
    public static T RoundTrip<T>(T value) => CallSerialization.RoundTrip(value);
}
