using System.Globalization;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>Each node's silo is named <c>node-ID</c> in Orleans' membership, by which calls find it.</summary>
public static class NodeNames
{
    /// <summary>The Orleans silo name of a node.</summary>
    public static string SiloName(ulong nodeId) => "node-" + nodeId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The node id of an Orleans silo name, or 0 when it names none.</summary>
    public static ulong NodeId(string? siloName) =>
        siloName is not null && siloName.StartsWith("node-", StringComparison.Ordinal)
        && ulong.TryParse(siloName.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
}
