using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;

namespace IceFire.Grains.Cluster;

/// <summary>Settings of a silo that is a member of a cluster.</summary>
public sealed class ClusterNodeOptions
{
    /// <summary>This silo's id in the cluster (1 or more), kept for life with its data directory.</summary>
    public required ulong NodeId { get; init; }

    /// <summary>The data directory (locked by the caller).</summary>
    public required DataDirectory Data { get; init; }

    /// <summary>host:port other silos reach this silo's cluster port on.</summary>
    public required string ClusterAddress { get; init; }

    /// <summary>host:port clients reach this silo's RESP listener on; may be set until <see cref="ClusterNode.StartAsync"/> (a port chosen at bind).</summary>
    public string RespAddress { get; set; } = "";

    /// <summary>host:port of this silo's admin HTTP API, or empty; may be set until <see cref="ClusterNode.StartAsync"/>.</summary>
    public string AdminAddress { get; set; } = "";

    /// <summary>Cluster addresses (host:port) of silos to join through.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>Start a new cluster with this silo as its first member when the data directory holds none.</summary>
    public bool Bootstrap { get; init; }

    /// <summary>Replicas per tenant written into a new cluster's genesis.</summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>Settings of every tenant replica; <see cref="TenantOptions.PubSub"/> is replaced per tenant.</summary>
    public TenantOptions Tenant { get; init; } = new();

    /// <summary>
    /// How long a command waits for its tenant's group to have a reachable leader before it fails with CLUSTERDOWN.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the system group's leader must fail to reach a silo before it declares it down and re-places its
    /// replicas on other silos (Kubernetes reschedules a pod well within the default).
    /// </summary>
    public TimeSpan ReplicaMoveAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Applied entries between two snapshots of a replica; a snapshot lets the log before it go, and a replica too far
    /// behind (or new) is sent the snapshot instead of the entries.
    /// </summary>
    public ulong SnapshotEveryEntries { get; init; } = 10_000;

    /// <summary>The Raft tick; elections time out after 10 to 20 ticks.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>PBKDF2 iterations for new tenants' password hashes.</summary>
    public int PasswordIterations { get; init; } = TenantPassword.DefaultIterations;

    /// <summary>
    /// The scalar functions the SQL gateway registers on a tenant's sessions; a session this silo hosts for a gateway on
    /// another silo gets them by name from here.
    /// </summary>
    public Func<string, IReadOnlyList<IceFire.Grains.Interfaces.Sql.SqlScalarFunction>>? SqlFunctions { get; init; }

    /// <summary>
    /// Calls to other silos (forwarded commands, SQL sessions, tenant changes, replica status, publish); none when
    /// null, as in a cluster of one with no messaging.
    /// </summary>
    public Messaging.INodeCalls? Calls { get; init; }

    /// <summary>Makes a tenant's pub/sub namespace on this silo.</summary>
    public Func<string, IPubSub>? PubSubs { get; init; }

    /// <summary>Where the node says what it is doing (joining, opening and closing replicas, members lost).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
