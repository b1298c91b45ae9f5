namespace IceFire.Grains.Interfaces;

/// <summary>A replica of a tenant's group as ROLE and INFO replication report it.</summary>
/// <param name="Host">Where clients reach the silo holding it.</param>
/// <param name="Port">Its RESP port.</param>
/// <param name="Offset">The last log index it has applied (as far as the leader knows: its match index).</param>
/// <param name="Online">True when the leader heard from it lately.</param>
public sealed record ReplicaRole(string Host, int Port, long Offset, bool Online);

/// <summary>The replication role of the silo a client reached, for one tenant.</summary>
/// <param name="IsLeader">True when this silo leads the tenant's group (Redis' master).</param>
/// <param name="Offset">This replica's applied log index (Redis' replication offset).</param>
/// <param name="Leader">On a follower, the leader (or null when none is known).</param>
/// <param name="Replicas">On the leader, the other replicas.</param>
/// <param name="ReplicationId">Identifies the group's history: the cluster and group ids.</param>
public sealed record ReplicationRole(bool IsLeader, long Offset, ReplicaRole? Leader, IReadOnlyList<ReplicaRole> Replicas, string ReplicationId);

/// <summary>
/// Implemented by tenant directories whose tenants are replicated: tells ROLE and INFO replication what the silo a
/// client reached is to the tenant's group.
/// </summary>
public interface IReplicationView
{
    /// <summary>This silo's role in <paramref name="tenant"/>'s group, or null when it holds no replica of it.</summary>
    ValueTask<ReplicationRole?> GetRoleAsync(string tenant);
}
