namespace IceFire.Grains.Cluster.Sql;

/// <summary>Limits of SQL session calls (<see cref="ISqlCalls"/>).</summary>
public static class SqlCalls
{
    /// <summary>The most rows one answer carries.</summary>
    public const int ChunkRows = 1000;

    /// <summary>An answer stops taking rows once its rows take about this many bytes (one row may overshoot it).</summary>
    public const int ChunkBytes = 1 << 20;
}
