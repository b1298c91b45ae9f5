using System.Collections.Frozen;
using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Hosting.Catalog;

namespace IceFire.Grains.Cluster;

/// <summary>A silo of the cluster.</summary>
/// <param name="Id">Its node id (never 0).</param>
/// <param name="ClusterAddress">host:port of its cluster transport.</param>
/// <param name="RespAddress">host:port clients reach its RESP listener on.</param>
/// <param name="AdminAddress">host:port of its admin HTTP API, or empty.</param>
/// <param name="Joined">When it joined.</param>
/// <param name="Down">Declared down: unreachable for the replica-move time, its replicas placed elsewhere.</param>
public sealed record ClusterMemberInfo(ulong Id, string ClusterAddress, string RespAddress, string AdminAddress, DateTimeOffset Joined, bool Down = false);

/// <summary>A tenant and where its replica group lives.</summary>
/// <param name="Name">The tenant's name.</param>
/// <param name="GroupId">Its Raft group's id.</param>
/// <param name="InitialReplicas">The group's voters at index 0 of its log.</param>
/// <param name="Replicas">The silos that should hold a replica (the group's leader moves its membership toward it).</param>
/// <param name="Created">When the tenant was created.</param>
/// <param name="Password">Its password hash; null for <c>default</c>.</param>
/// <param name="Settings">The CONFIG parameters it set for itself; null when none.</param>
public sealed record TenantPlacementInfo(
    string Name,
    ulong GroupId,
    IReadOnlyList<ulong> InitialReplicas,
    IReadOnlyList<ulong> Replicas,
    DateTimeOffset Created,
    PasswordHash? Password,
    IReadOnlyDictionary<string, string>? Settings = null);

/// <summary>
/// The system group's state as of one applied index: the cluster's identity and settings, its members and its
/// tenants. Immutable; the system state machine publishes a new one per applied batch.
/// </summary>
public sealed class ClusterState
{
    /// <summary>The system group's id; tenant groups are numbered from <see cref="FirstTenantGroup"/>.</summary>
    public const ulong SystemGroup = 1;

    /// <summary>The first tenant group id.</summary>
    public const ulong FirstTenantGroup = 100;

    /// <summary>The state of a silo that has not yet applied the genesis entry.</summary>
    public static readonly ClusterState Unborn = new(new ClusterStateProto(), 0);

    internal ClusterState(ClusterStateProto proto, ulong appliedIndex)
    {
        Proto = proto;
        AppliedIndex = appliedIndex;
        Members = proto.Members
            .Select(m => new ClusterMemberInfo(m.Id, m.ClusterAddress, m.RespAddress, m.AdminAddress, DateTimeOffset.FromUnixTimeMilliseconds(m.JoinedUnixMs), m.Down))
            .OrderBy(m => m.Id)
            .ToList();
        Tenants = proto.Tenants.ToFrozenDictionary(t => t.Name, ToInfo, StringComparer.Ordinal);
    }

    internal ClusterStateProto Proto { get; }

    /// <summary>The system log index this state reflects.</summary>
    public ulong AppliedIndex { get; }

    /// <summary>The cluster's id, empty before genesis.</summary>
    public string ClusterId => Proto.ClusterId;

    /// <summary>True once the genesis entry is applied.</summary>
    public bool IsBorn => Proto.ClusterId.Length > 0;

    /// <summary>Replicas per tenant (fewer while the cluster has fewer silos).</summary>
    public int ReplicationFactor => (int)(Proto.Settings?.ReplicationFactor ?? 3);

    /// <summary>Most voters of the system group; further members are its learners.</summary>
    public int SystemVoters => (int)(Proto.Settings?.SystemVoters ?? 5);

    /// <summary>Members by id.</summary>
    public IReadOnlyList<ClusterMemberInfo> Members { get; }

    /// <summary>Tenants by name.</summary>
    public IReadOnlyDictionary<string, TenantPlacementInfo> Tenants { get; }

    /// <summary>The member <paramref name="id"/>, or null.</summary>
    public ClusterMemberInfo? Member(ulong id) => Members.FirstOrDefault(m => m.Id == id);

    private static TenantPlacementInfo ToInfo(TenantProto t) => new(
        t.Name,
        t.GroupId,
        t.InitialReplicas.ToArray(),
        t.Replicas.ToArray(),
        DateTimeOffset.FromUnixTimeMilliseconds(t.CreatedUnixMs),
        t.Password is { } p ? new PasswordHash(p.Algorithm, p.Iterations, p.Salt.ToByteArray(), p.Hash.ToByteArray()) : null,
        t.Settings.Count == 0 ? null : new Dictionary<string, string>(t.Settings, StringComparer.Ordinal));

    internal static PasswordHashProto? ToProto(PasswordHash? hash) => hash is null ? null : new PasswordHashProto
    {
        Algorithm = hash.Algorithm,
        Iterations = hash.Iterations,
        Salt = Google.Protobuf.ByteString.CopyFrom(hash.Salt),
        Hash = Google.Protobuf.ByteString.CopyFrom(hash.Hash),
    };
}
