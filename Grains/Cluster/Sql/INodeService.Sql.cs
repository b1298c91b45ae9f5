using IceFire.Grains.Cluster.Sql;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>The node service serves SQL session calls (<see cref="ISqlCalls"/>).</summary>
public partial interface INodeService : ISqlCalls;
