using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

/// <summary>
/// A cursor whose first rows are read before any is sent, so that the RowDescription that goes out before them can
/// announce types every one of those values is valid in. Serves the rows read ahead, then the rest of the cursor.
/// </summary>
/// <remarks>One caller at a time, as <see cref="ISqlCursor"/>. Disposing disposes the inner cursor.</remarks>
internal sealed class LookaheadCursor(ISqlCursor inner) : ISqlCursor, ISqlRowSink
{
    private readonly List<SqlValue[]> _rows = [];
    private int _next;
    private SqlFetchResult? _end;

    public IReadOnlyList<SqlColumn> Columns => inner.Columns;

    /// <summary>The rows read ahead; read them before the first <see cref="FetchAsync"/>, which hands them out.</summary>
    public IReadOnlyList<SqlValue[]> Rows => _rows;

    /// <summary>Reads up to <paramref name="maxRows"/> rows ahead (all when the statement ends or fails sooner).</summary>
    public async ValueTask ReadAheadAsync(int maxRows, CancellationToken cancellationToken)
    {
        var result = await inner.FetchAsync(maxRows, this, cancellationToken);
        if (!result.Suspended)
        {
            _end = result;
        }
    }

    void ISqlRowSink.WriteRow(ReadOnlySpan<SqlValue> row) => _rows.Add(row.ToArray());

    public async ValueTask<SqlFetchResult> FetchAsync(int maxRows, ISqlRowSink sink, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (_next < _rows.Count)
        {
            if (maxRows > 0 && sent == maxRows)
            {
                return new SqlFetchResult(true, _next, 0, "SELECT", null);
            }
            sink.WriteRow(_rows[_next]);
            _rows[_next++] = null!;
            sent++;
        }
        if (_end is { } end)
        {
            return end;
        }
        if (maxRows > 0 && sent == maxRows)
        {
            return new SqlFetchResult(true, _next, 0, "SELECT", null);
        }
        return await inner.FetchAsync(maxRows > 0 ? maxRows - sent : 0, sink, cancellationToken);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
