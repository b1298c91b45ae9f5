using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// The rows of an execution on the leader: a chunk arrives with the execution's answer and with each fetch call, and
/// rows are decoded from it only as they are handed to the sink. Cursor id 0: the leader already completed and
/// closed it.
/// </summary>
internal sealed class RemoteSqlCursor(RemoteSqlSession session, ulong id, IReadOnlyList<SqlColumn> columns, ReadOnlyMemory<byte> chunk) : ISqlCursor
{
    private ReadOnlyMemory<byte> _chunk = chunk;
    private int _offset;
    private bool _rowsDone;
    private bool _remoteOpen = id != 0;
    private SqlFetchResult? _completed;
    private SqlValue[] _row = new SqlValue[columns.Count];
    private long _delivered;

    public IReadOnlyList<SqlColumn> Columns => columns;

    public async ValueTask<SqlFetchResult> FetchAsync(int maxRows, ISqlRowSink sink, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (true)
        {
            while (!_rowsDone)
            {
                // Look past the last row first: a statement that ends exactly here completes rather than suspends.
                if (_chunk.Span[_offset] == 0)
                {
                    ReadEnd();
                    break;
                }
                if (maxRows > 0 && sent == maxRows)
                {
                    return new SqlFetchResult(true, _delivered, 0, "", null);
                }
                NextRow(sink);
                sent++;
                _delivered++;
            }
            if (_completed is { } completed)
            {
                return completed;
            }
            if (maxRows > 0 && sent == maxRows)
            {
                return new SqlFetchResult(true, _delivered, 0, "", null);
            }
            _chunk = await session.FetchAsync(id, maxRows == 0 ? 0 : maxRows - sent, cancellationToken).ConfigureAwait(false);
            _offset = 0;
            _rowsDone = false;
        }
    }

    private void NextRow(ISqlRowSink sink)
    {
        var r = new WireReader(_chunk.Span[_offset..]);
        SqlWire.NextRow(ref r, ref _row, out var count);
        _offset += r.Position;
        sink.WriteRow(_row.AsSpan(0, count));
    }

    private void ReadEnd()
    {
        var r = new WireReader(_chunk.Span[_offset..]);
        SqlWire.NextRow(ref r, ref _row, out _);
        _rowsDone = true;
        _completed = SqlWire.ChunkResult(ref r);
        if (_completed is not null)
        {
            _remoteOpen = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_remoteOpen)
        {
            _remoteOpen = false;
            await session.CloseAsync(SqlCallOp.CloseCursor, id).ConfigureAwait(false);
        }
    }
}
