using IceFire.Grains.Interfaces.Sql;
using Orleans;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>A statement prepared in a hosted session, known there by <paramref name="Id"/>.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlPreparedStatement")]
public sealed record SqlPreparedStatement(
    [property: Id(0)] ulong Id,
    [property: Id(1)] string Sql,
    [property: Id(2)] int ParameterCount,
    [property: Id(3)] string CommandVerb,
    [property: Id(4)] bool IsReadOnly,
    [property: Id(5)] SqlColumn[] Columns);

/// <summary>
/// The answer of <see cref="ISqlCalls.PrepareAsync"/>: the statement (null for text holding none) and where the rest of
/// the text starts, or the SQL error.
/// </summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlPrepareReply")]
public sealed record SqlPrepareReply(
    [property: Id(0)] SqlCallStatus Status,
    [property: Id(1)] string Message,
    [property: Id(2)] SqlTransactionState State,
    [property: Id(3)] int TailOffset = 0,
    [property: Id(4)] SqlPreparedStatement? Statement = null,
    [property: Id(5)] SqlError? Error = null) : ISqlSessionReply<SqlPrepareReply>
{
    public static SqlPrepareReply Refused(SqlCallStatus status, string message) => new(status, message, SqlTransactionState.Idle);
}

/// <summary>
/// The answer of <see cref="ISqlCalls.ExecuteAsync"/>: the SQL error, or the result's columns, the first chunk of rows, and
/// the cursor that holds the rest (0 when the chunk holds them all and the leader closed it).
/// </summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlExecuteReply")]
public sealed record SqlExecuteReply(
    [property: Id(0)] SqlCallStatus Status,
    [property: Id(1)] string Message,
    [property: Id(2)] SqlTransactionState State,
    [property: Id(3)] SqlError? Error = null,
    [property: Id(4)] SqlColumn[]? Columns = null,
    [property: Id(5)] ulong Cursor = 0,
    [property: Id(6)] SqlRowChunk? Chunk = null) : ISqlSessionReply<SqlExecuteReply>
{
    public static SqlExecuteReply Refused(SqlCallStatus status, string message) => new(status, message, SqlTransactionState.Idle);
}

/// <summary>The answer of <see cref="ISqlCalls.FetchAsync"/>: the next chunk of rows.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlFetchReply")]
public sealed record SqlFetchReply(
    [property: Id(0)] SqlCallStatus Status,
    [property: Id(1)] string Message,
    [property: Id(2)] SqlTransactionState State,
    [property: Id(3)] SqlRowChunk? Chunk = null) : ISqlSessionReply<SqlFetchReply>
{
    public static SqlFetchReply Refused(SqlCallStatus status, string message) => new(status, message, SqlTransactionState.Idle);
}

/// <summary>
/// Rows of a cursor, bounded in count (<see cref="SqlCalls.ChunkRows"/>) and size (<see cref="SqlCalls.ChunkBytes"/>),
/// and, when the statement completed with them, how it completed; null <paramref name="End"/> means more rows remain.
/// </summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlRowChunk")]
public sealed record SqlRowChunk([property: Id(0)] SqlValue[][] Rows, [property: Id(1)] SqlCompletion? End);

/// <summary>How a statement completed (<see cref="SqlFetchResult"/> once not suspended).</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlCompletion")]
public sealed record SqlCompletion(
    [property: Id(0)] long Rows,
    [property: Id(1)] long Changes,
    [property: Id(2)] string CommandVerb,
    [property: Id(3)] SqlError? Error)
{
    /// <summary>The completed fetch this stands for.</summary>
    public SqlFetchResult Result => new(false, Rows, Changes, CommandVerb, Error);
}
