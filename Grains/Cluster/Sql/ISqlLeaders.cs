using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// What SQL routing needs to know of this silo's replicas: the tenant's SQL database when this silo leads its group,
/// and who leads it otherwise.
/// </summary>
internal interface ISqlLeaders
{
    /// <summary>
    /// The SQL database of this silo's replica of <paramref name="tenant"/> when that replica leads its group; null when
    /// this silo holds no replica of it or does not lead. Sessions opened on it fail their statements with
    /// <see cref="SqlStates.SerializationFailure"/> (the open transaction rolled back) once leadership moves.
    /// </summary>
    ISqlTenant? LocalLeader(string tenant);

    /// <summary>The node that leads <paramref name="tenant"/>'s group as this silo last heard, 0 when unknown.</summary>
    ulong LeaderOf(string tenant);

    /// <summary>The SQL database of this silo's replica of <paramref name="tenant"/>, whatever its role; null when it holds none.</summary>
    ISqlTenant? LocalReplica(string tenant) => null;
}
