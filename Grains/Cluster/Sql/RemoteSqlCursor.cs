using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// The rows of an execution on the leader: a chunk arrives with the execution's answer and with each fetch call, and
/// its rows are handed to the sink as they are asked for. Cursor id 0: the leader already completed and closed it.
/// </summary>
internal sealed class RemoteSqlCursor(RemoteSqlSession session, ulong id, IReadOnlyList<SqlColumn> columns, SqlRowChunk chunk) : ISqlCursor
{
    private SqlRowChunk _chunk = chunk;
    private int _next;
    private bool _remoteOpen = id != 0;
    private long _delivered;

    public IReadOnlyList<SqlColumn> Columns => columns;

    public async ValueTask<SqlFetchResult> FetchAsync(int maxRows, ISqlRowSink sink, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (true)
        {
            var rows = _chunk.Rows;
            while (_next < rows.Length)
            {
                if (maxRows > 0 && sent == maxRows)
                {
                    return new SqlFetchResult(true, _delivered, 0, "", null);
                }
                sink.WriteRow(rows[_next++]);
                sent++;
                _delivered++;
            }
            // Past the last row, look at the chunk's end first: a statement that ends exactly here completes rather than suspends.
            if (_chunk.End is { } end)
            {
                _remoteOpen = false;
                return end.Result;
            }
            if (maxRows > 0 && sent == maxRows)
            {
                return new SqlFetchResult(true, _delivered, 0, "", null);
            }
            _chunk = await session.FetchAsync(id, maxRows == 0 ? 0 : maxRows - sent, cancellationToken).ConfigureAwait(false);
            _next = 0;
            // The leader closes a cursor once it sends its end.
            _remoteOpen &= _chunk.End is null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_remoteOpen)
        {
            _remoteOpen = false;
            await session.CloseCursorAsync(id).ConfigureAwait(false);
        }
    }
}
