using System.Diagnostics.Metrics;

namespace IceFire.Grains.Hosting;

/// <summary>
/// A silo's storage instruments on the "IceFire.Storage" <see cref="Meter"/>: the bytes of its LMDB data files
/// (every replica's data.mdb under the data directory), read when a listener collects.
/// </summary>
public sealed class StorageMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "IceFire.Storage";

    private const string DataFile = "data.mdb";
    private static readonly EnumerationOptions Walk = new() { RecurseSubdirectories = true, IgnoreInaccessible = true };
    private readonly Meter _meter;
    private readonly string _path;

    /// <summary>Registers the instruments for the data directory at <paramref name="path"/>.</summary>
    public StorageMetrics(string path)
    {
        _path = path;
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("icefire.storage.lmdb.size", LmdbBytes, "By",
            "Bytes of this silo's LMDB data files (the data.mdb of every tenant replica and the cluster's tables)");
    }

    /// <summary>The sum of the lengths of the data.mdb files under the data directory.</summary>
    public long LmdbBytes()
    {
        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(_path).EnumerateFiles(DataFile, Walk))
            {
                try
                {
                    total += file.Length;
                }
                catch (IOException)
                {
                    // Removed since it was listed (a dropped tenant, a replica moved away).
                }
            }
        }
        catch (IOException)
        {
            // A directory removed during the walk: what was summed so far stands until the next collection.
        }
        return total;
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
