using System.Diagnostics.CodeAnalysis;
using IceFire.Grains.Interfaces;
using IceFire.Raft.Hosting;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>Why a replica refused a forwarded tenant call. Numbers are append-only: they cross between silos of two versions.</summary>
[GenerateSerializer, Alias("IceFire.TenantCallStatus")]
public enum TenantCallStatus : byte
{
    /// <summary>The replica does not lead its group (<see cref="RaftProposalException"/>).</summary>
    NotLeader = 1,

    /// <summary>The silo holds no replica of the tenant (<see cref="TenantNotFoundException"/>).</summary>
    TenantNotFound = 2,

    /// <summary>Leadership was lost after the write was proposed; it may or may not apply (<see cref="RaftOutcomeUnknownException"/>).</summary>
    OutcomeUnknown = 3,

    /// <summary>The tenant is unavailable in bounded time (<see cref="TenantUnavailableException"/>); the message is its error reply.</summary>
    Unavailable = 4,

    /// <summary>The replica failed the call (a malformed request, a storage error).</summary>
    Failed = 5,
}

/// <summary>
/// A refusal of a forwarded tenant call: what the replica's exception said, so the calling silo throws the same
/// exception its local replica would have (<see cref="Throw"/>).
/// </summary>
/// <param name="Status">Which refusal.</param>
/// <param name="Message">The exception's message; for <see cref="TenantCallStatus.Unavailable"/> the error reply.</param>
/// <param name="LeaderHint">For <see cref="TenantCallStatus.NotLeader"/>: the leader the replica knows, or 0.</param>
/// <param name="ProposeStatus">For <see cref="TenantCallStatus.NotLeader"/>: the <see cref="global::IceFire.Raft.ProposeStatus"/>'s number.</param>
[GenerateSerializer, Immutable, Alias("IceFire.TenantRefusal")]
public sealed record TenantRefusal(
    [property: Id(0)] TenantCallStatus Status,
    [property: Id(1)] string Message,
    [property: Id(2)] ulong LeaderHint = 0,
    [property: Id(3)] byte ProposeStatus = 0)
{
    /// <summary>The refusal that <paramref name="error"/> stands for, or null when it is not an expected refusal.</summary>
    public static TenantRefusal? Of(Exception error) => error switch
    {
        RaftProposalException e => new(TenantCallStatus.NotLeader, e.Message, e.LeaderHint, (byte)e.Status),
        TenantNotFoundException e => new(TenantCallStatus.TenantNotFound, e.Message),
        RaftOutcomeUnknownException e => new(TenantCallStatus.OutcomeUnknown, e.Message),
        TenantUnavailableException e => new(TenantCallStatus.Unavailable, e.Reply),
        FormatException e => new(TenantCallStatus.Failed, "malformed forwarded call: " + e.Message),
        _ => null,
    };

    /// <summary>Throws the exception this refusal stands for, as the replica of <paramref name="tenant"/> on <paramref name="nodeId"/> threw it.</summary>
    [DoesNotReturn]
    public void Throw(ulong nodeId, string tenant) => throw Status switch
    {
        TenantCallStatus.NotLeader => new RaftProposalException((global::IceFire.Raft.ProposeStatus)ProposeStatus, LeaderHint, Message),
        TenantCallStatus.TenantNotFound => new TenantNotFoundException(Message),
        TenantCallStatus.OutcomeUnknown => new RaftOutcomeUnknownException(Message),
        TenantCallStatus.Unavailable => new TenantUnavailableException(Message),
        _ => new InvalidOperationException($"node {nodeId} failed tenant {tenant}'s call: {Message}"),
    };
}
