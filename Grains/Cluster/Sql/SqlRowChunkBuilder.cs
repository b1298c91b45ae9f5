using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>Collects fetched rows into a <see cref="SqlRowChunk"/>, counting about what they take on the wire so a chunk stays bounded.</summary>
internal sealed class SqlRowChunkBuilder : ISqlRowSink
{
    private readonly List<SqlValue[]> _rows = [];

    public int Rows => _rows.Count;

    /// <summary>About the bytes the rows take encoded: a tag per value, and its number or its bytes.</summary>
    public long Bytes { get; private set; }

    public void WriteRow(ReadOnlySpan<SqlValue> row)
    {
        // The span is the cursor's and lives only during the call; the values themselves are immutable.
        var copy = row.ToArray();
        long bytes = 1;
        foreach (ref readonly var value in row)
        {
            bytes += value.Kind switch
            {
                SqlStorageClass.Integer or SqlStorageClass.Real => 9,
                SqlStorageClass.Text or SqlStorageClass.Blob => 5 + value.Bytes.Length,
                _ => 1,
            };
        }
        Bytes += bytes;
        _rows.Add(copy);
    }

    /// <summary>The chunk of the rows collected, ending with <paramref name="end"/> (null: more rows remain).</summary>
    public SqlRowChunk Build(SqlCompletion? end) => new([.. _rows], end);
}
