namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// The operations of the SQL session call (one cluster call kind, <see cref="SqlCalls.Kind"/>): the first payload
/// byte. Numbers reach the wire and are append-only.
/// </summary>
/// <remarks>
/// Every operation on an open session starts with <c>u8 op | u64 session | u8 flags</c>, then <c>i32 statement
/// timeout ms</c> when the flags carry <see cref="SqlCallFlags.StatementTimeout"/>; every answer to one ends
/// with the session's <see cref="Interfaces.Sql.SqlTransactionState"/> after the call, so the caller never asks for it.
/// </remarks>
internal enum SqlCallOp : byte
{
    /// <summary><c>u64 origin | string tenant | u8 has setup [string setup] | i32 n | n × (string name, i32 arity)</c> → <c>u64 session | u8 state</c>.</summary>
    Open = 1,

    /// <summary><c>string sql</c> → <c>u8 outcome (0 empty, 1 statement, 2 error) | i32 tail | statement or error</c>.</summary>
    Prepare = 2,

    /// <summary><c>u64 statement | values</c> → <c>u8 outcome (1 cursor, 2 error) | columns | u64 cursor (0 when done) | i32 length | chunk</c>.</summary>
    Execute = 3,

    /// <summary><c>u64 cursor | i32 max rows (0 for a full chunk)</c> → <c>chunk</c>.</summary>
    Fetch = 4,

    /// <summary><c>u64 statement</c> → nothing more.</summary>
    CloseStatement = 5,

    /// <summary><c>u64 cursor</c> → nothing more.</summary>
    CloseCursor = 6,

    /// <summary>Interrupts the running statement; served beside the call it interrupts, not after it.</summary>
    Cancel = 7,

    /// <summary>Closes the session, rolling back an open transaction.</summary>
    Close = 8,

    /// <summary><c>u64 origin | i32 n | n × u64 session</c> → <c>i32 n | n × u64 session unknown here</c>: renews the sessions' lease.</summary>
    KeepAlive = 9,
}

/// <summary>The status byte of a SQL session call's answer. Append-only.</summary>
internal enum SqlCallStatus : byte
{
    Ok = 0,

    /// <summary>Open only: this silo does not lead the tenant's group: <c>u64 leader hint | string message</c>.</summary>
    NotLeader = 1,

    /// <summary>The session is not open here (closed, expired, or the silo restarted): <c>string message</c>.</summary>
    NoSession = 2,

    /// <summary>The tenant's database cannot be opened: <c>string message</c>.</summary>
    Unavailable = 3,

    /// <summary>The request was malformed or its handler failed: <c>string message</c>.</summary>
    Failed = 4,
}

/// <summary>Flags of a session operation.</summary>
[Flags]
internal enum SqlCallFlags : byte
{
    None = 0,

    /// <summary>Put the open transaction in the failed state before the operation (<see cref="Interfaces.Sql.ISqlSession.Fail"/>, deferred).</summary>
    FailFirst = 1,

    /// <summary>An <c>i32</c> follows the flags: the session's statement_timeout in milliseconds from now on (<see cref="Interfaces.Sql.ISqlSession.StatementTimeout"/>).</summary>
    StatementTimeout = 2,
}

/// <summary>Limits and the call kind of SQL session forwarding.</summary>
public static class SqlCalls
{
    /// <summary>The cluster call kind of every SQL session operation.</summary>
    public const byte Kind = 21;

    /// <summary>The most rows one answer carries.</summary>
    public const int ChunkRows = 1000;

    /// <summary>An answer stops taking rows once its rows take this many bytes (one row may overshoot it).</summary>
    public const int ChunkBytes = 1 << 20;
}
