using System.Text.Json;
using IceFire.Grains.Hosting;
using IceFire.Grains.Hosting.Catalog;

namespace IceFire.Grains.Cluster;

/// <summary>
/// Which cluster a data directory belongs to and as which node: <c>cluster/identity.json</c>, written once the silo
/// has joined (or founded) its cluster. A silo started with another node id, or told to join another cluster, refuses
/// to start rather than mix two clusters' data.
/// </summary>
internal sealed record ClusterIdentity(ulong NodeId, string ClusterId)
{
    public static string PathIn(DataDirectory data) => Path.Combine(data.Path, "cluster", "identity.json");

    public static ClusterIdentity? Load(DataDirectory data)
    {
        var path = PathIn(data);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var identity = new ClusterIdentity(root.GetProperty("nodeId").GetUInt64(), root.GetProperty("clusterId").GetString() ?? "");
            if (identity.NodeId == 0 || identity.ClusterId.Length == 0)
            {
                throw new DataDirectoryException($"{path} names no node id or cluster id; refusing to start");
            }
            return identity;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataDirectoryException($"{path} is damaged ({e.Message}); refusing to start", e);
        }
    }

    public void Save(DataDirectory data)
    {
        var path = PathIn(data);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("nodeId", NodeId);
            writer.WriteString("clusterId", ClusterId);
            writer.WriteEndObject();
        }
        DurableFile.Replace(path, stream.ToArray());
    }
}
