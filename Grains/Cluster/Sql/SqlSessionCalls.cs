using IceFire.Grains.Interfaces.Sql;
using Orleans;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>Whether a SQL session call was served, or why not. Numbers reach the wire and are append-only.</summary>
[GenerateSerializer, Alias("IceFire.SqlCallStatus")]
public enum SqlCallStatus : byte
{
    Ok = 0,

    /// <summary>Open only: this silo does not lead the tenant's group; the answer names the leader it knows.</summary>
    NotLeader = 1,

    /// <summary>The session is not open here (closed, expired, or the silo restarted): nothing ran.</summary>
    NoSession = 2,

    /// <summary>The tenant's database cannot be opened, or the silo is stopping.</summary>
    Unavailable = 3,
}

/// <summary>The answer of a call on an open session: whether it was served, and the session's transaction state after it.</summary>
public interface ISqlSessionReply<TSelf>
    where TSelf : ISqlSessionReply<TSelf>
{
    SqlCallStatus Status { get; }

    /// <summary>Why the call was refused; empty when served.</summary>
    string Message { get; }

    SqlTransactionState State { get; }

    /// <summary>The answer refusing a call with <paramref name="status"/>.</summary>
    static abstract TSelf Refused(SqlCallStatus status, string message);
}

/// <summary>
/// Which hosted session a call is for, and the client's settings that ride on it rather than cost calls of their own.
/// </summary>
/// <param name="Session">The session's id on the silo hosting it.</param>
/// <param name="FailFirst">Put the open transaction in the failed state before the call (<see cref="ISqlSession.Fail"/>, deferred).</param>
/// <param name="StatementTimeout">The session's statement_timeout from now on, when it changed (<see cref="ISqlSession.StatementTimeout"/>).</param>
[GenerateSerializer, Immutable, Alias("IceFire.SqlSessionCall")]
public sealed record SqlSessionCall(
    [property: Id(0)] ulong Session,
    [property: Id(1)] bool FailFirst = false,
    [property: Id(2)] TimeSpan? StatementTimeout = null);

/// <summary>A scalar function a remote session wants: only its name and arity travel, its code is the host's.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlFunctionName")]
public sealed record SqlFunctionName([property: Id(0)] string Name, [property: Id(1)] int ArgumentCount);

/// <summary>A session to open for a client of silo <paramref name="Origin"/>.</summary>
/// <param name="Origin">The client's silo, which renews the session's lease.</param>
/// <param name="Tenant">The tenant whose database the session opens.</param>
/// <param name="SetupSql">The session's set-up script (<see cref="SqlSessionOptions.SetupSql"/>).</param>
/// <param name="Functions">The scalar functions to register, among those the host would register for the tenant.</param>
[GenerateSerializer, Immutable, Alias("IceFire.SqlOpenRequest")]
public sealed record SqlOpenRequest(
    [property: Id(0)] ulong Origin,
    [property: Id(1)] string Tenant,
    [property: Id(2)] string? SetupSql,
    [property: Id(3)] SqlFunctionName[] Functions);

/// <summary>The answer of <see cref="ISqlCalls.OpenAsync"/>: the session's id and state, or why not.</summary>
/// <param name="Status">Whether the session opened.</param>
/// <param name="Message">Why not; empty when it opened.</param>
/// <param name="Session">The session's id on this silo.</param>
/// <param name="State">The session's transaction state once open (its set-up script ran).</param>
/// <param name="LeaderHint">With <see cref="SqlCallStatus.NotLeader"/>: the leader this silo knows, 0 for none.</param>
[GenerateSerializer, Immutable, Alias("IceFire.SqlOpenReply")]
public sealed record SqlOpenReply(
    [property: Id(0)] SqlCallStatus Status,
    [property: Id(1)] string Message,
    [property: Id(2)] ulong Session = 0,
    [property: Id(3)] SqlTransactionState State = SqlTransactionState.Idle,
    [property: Id(4)] ulong LeaderHint = 0);

/// <summary>The answer of a session call that returns nothing but its outcome.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlSessionReply")]
public sealed record SqlSessionReply(
    [property: Id(0)] SqlCallStatus Status,
    [property: Id(1)] string Message,
    [property: Id(2)] SqlTransactionState State) : ISqlSessionReply<SqlSessionReply>
{
    public static SqlSessionReply Refused(SqlCallStatus status, string message) => new(status, message, SqlTransactionState.Idle);
}

/// <summary>The answer of <see cref="ISqlCalls.KeepAliveAsync"/>: the sessions not open here, which the caller marks lost.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.SqlKeepAliveReply")]
public sealed record SqlKeepAliveReply([property: Id(0)] ulong[] Unknown);
