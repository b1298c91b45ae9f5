using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

internal sealed partial class SqlCallHandler
{
    private const byte OutcomeEmpty = 0;
    private const byte OutcomeValue = 1;
    private const byte OutcomeError = 2;

    private static readonly SqlError NoSuchStatement = new(SqlStates.InvalidSqlStatementName, "the prepared statement does not exist on the leader");
    private static readonly SqlError NoSuchCursor = new(SqlStates.InvalidCursorName, "the portal does not exist on the leader");

    /// <summary>A parsed session call: everything read from the payload before the first await.</summary>
    private readonly record struct SessionRequest(SqlCallOp Op, ulong Session, SqlCallFlags Flags, ulong Target, int MaxRows, string? Sql, SqlValue[]? Values)
    {
        /// <summary>The statement_timeout in milliseconds, when <see cref="SqlCallFlags.StatementTimeout"/> is set.</summary>
        public int TimeoutMs { get; init; }
    }

    private static SessionRequest Decode(SqlCallOp op, ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload[1..]);
        var session = r.UInt64();
        var flags = (SqlCallFlags)r.Byte();
        var timeoutMs = (flags & SqlCallFlags.StatementTimeout) != 0 ? r.Int32() : 0;
        SessionRequest request = op switch
        {
            SqlCallOp.Prepare => new(op, session, flags, 0, 0, r.String(), null),
            SqlCallOp.Execute => new(op, session, flags, r.UInt64(), 0, null, SqlWire.Values(ref r)),
            SqlCallOp.Fetch => new(op, session, flags, r.UInt64(), r.Int32(), null, null),
            SqlCallOp.CloseStatement or SqlCallOp.CloseCursor => new(op, session, flags, r.UInt64(), 0, null, null),
            SqlCallOp.Cancel or SqlCallOp.Close => new(op, session, flags, 0, 0, null, null),
            _ => throw new FormatException($"SQL call operation {(byte)op} is unknown"),
        };
        return request with { TimeoutMs = timeoutMs };
    }

    private async ValueTask<NodeCallResult> SessionCallAsync(SqlCallOp op, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var request = Decode(op, payload.Span);
        if (!_sessions.TryGetValue(request.Session, out var hosted))
        {
            return Failure(SqlCallStatus.NoSession, $"SQL session {request.Session} is not open on this silo");
        }
        if (op == SqlCallOp.Cancel)
        {
            // Not behind the gate: the call to interrupt holds it.
            hosted.Session.Cancel();
            return new NodeCallResult((byte)SqlCallStatus.Ok, ReadOnlyMemory<byte>.Empty);
        }
        if (op == SqlCallOp.Close)
        {
            await CloseAsync(hosted).ConfigureAwait(false);
            return new NodeCallResult((byte)SqlCallStatus.Ok, new[] { (byte)SqlTransactionState.Idle });
        }
        await hosted.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (hosted.Closed)
            {
                return Failure(SqlCallStatus.NoSession, $"SQL session {request.Session} was closed");
            }
            hosted.Touch();
            if ((request.Flags & SqlCallFlags.FailFirst) != 0)
            {
                hosted.Session.Fail();
            }
            if ((request.Flags & SqlCallFlags.StatementTimeout) != 0)
            {
                hosted.Session.StatementTimeout = TimeSpan.FromMilliseconds(Math.Max(0, request.TimeoutMs));
            }
            var w = new WireWriter();
            // A caller that gives up (or whose connection drops) interrupts the statement it started.
            using (cancellationToken.Register(static s => ((ISqlSession)s!).Cancel(), hosted.Session))
            {
                switch (op)
                {
                    case SqlCallOp.Prepare:
                        Prepare(hosted, request.Sql!, w);
                        break;
                    case SqlCallOp.Execute:
                        await ExecuteAsync(hosted, request.Target, request.Values!, w, cancellationToken).ConfigureAwait(false);
                        break;
                    case SqlCallOp.Fetch:
                        await FetchAsync(hosted, request.Target, request.MaxRows, w, cancellationToken).ConfigureAwait(false);
                        break;
                    case SqlCallOp.CloseStatement:
                        hosted.RemoveStatement(request.Target);
                        break;
                    case SqlCallOp.CloseCursor:
                        await hosted.RemoveCursorAsync(request.Target).ConfigureAwait(false);
                        break;
                }
            }
            w.Byte((byte)hosted.Session.TransactionState);
            hosted.Touch();
            return new NodeCallResult((byte)SqlCallStatus.Ok, w.Written);
        }
        finally
        {
            hosted.Gate.Release();
        }
    }

    private static void Prepare(HostedSqlSession hosted, string sql, WireWriter w)
    {
        var prepared = hosted.Session.Prepare(sql);
        if (prepared.Error is { } error)
        {
            w.Byte(OutcomeError);
            w.Int32(prepared.TailOffset);
            SqlWire.Error(w, error);
            return;
        }
        if (prepared.Statement is not { } statement)
        {
            w.Byte(OutcomeEmpty);
            w.Int32(prepared.TailOffset);
            return;
        }
        w.Byte(OutcomeValue);
        w.Int32(prepared.TailOffset);
        w.UInt64(hosted.Add(statement));
        w.Int32(statement.ParameterCount);
        w.String(statement.CommandVerb);
        w.Byte(statement.IsReadOnly ? (byte)1 : (byte)0);
        w.String(statement.Sql);
        SqlWire.Columns(w, statement.Columns);
    }

    private static async ValueTask ExecuteAsync(HostedSqlSession hosted, ulong statementId, SqlValue[] values, WireWriter w, CancellationToken cancellationToken)
    {
        if (hosted.Statement(statementId) is not { } statement)
        {
            w.Byte(OutcomeError);
            SqlWire.Error(w, NoSuchStatement);
            return;
        }
        var executed = await hosted.Session.ExecuteAsync(statement, values, cancellationToken).ConfigureAwait(false);
        if (executed.Cursor is not { } cursor)
        {
            w.Byte(OutcomeError);
            SqlWire.Error(w, executed.Error ?? new SqlError(SqlStates.InternalError, "the statement gave neither rows nor an error"));
            return;
        }
        w.Byte(OutcomeValue);
        SqlWire.Columns(w, cursor.Columns);
        var chunk = new WireWriter();
        if (await FillAsync(cursor, 0, chunk, cancellationToken).ConfigureAwait(false))
        {
            var id = hosted.NextCursorId();
            hosted.AddCursor(id, cursor);
            w.UInt64(id);
        }
        else
        {
            await cursor.DisposeAsync().ConfigureAwait(false);
            w.UInt64(0);
        }
        w.Bytes(chunk.Written.Span);
    }

    private static async ValueTask FetchAsync(HostedSqlSession hosted, ulong cursorId, int maxRows, WireWriter w, CancellationToken cancellationToken)
    {
        if (hosted.Cursor(cursorId) is not { } cursor)
        {
            SqlWire.ChunkEnd(w, new SqlFetchResult(false, 0, 0, "", NoSuchCursor));
            return;
        }
        if (!await FillAsync(cursor, maxRows, w, cancellationToken).ConfigureAwait(false))
        {
            await hosted.RemoveCursorAsync(cursorId).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a chunk of up to <paramref name="maxRows"/> rows (0: <see cref="SqlCalls.ChunkRows"/>), stopping early
    /// once they take <see cref="SqlCalls.ChunkBytes"/>. True when the cursor has more rows.
    /// </summary>
    private static async ValueTask<bool> FillAsync(ISqlCursor cursor, int maxRows, WireWriter w, CancellationToken cancellationToken)
    {
        var sink = new SqlChunkWriter(w);
        var limit = maxRows <= 0 ? SqlCalls.ChunkRows : Math.Min(maxRows, SqlCalls.ChunkRows);
        while (true)
        {
            var remaining = limit - sink.Rows;
            if (remaining <= 0 || sink.Bytes >= SqlCalls.ChunkBytes)
            {
                SqlWire.ChunkEnd(w, new SqlFetchResult(true, 0, 0, "", null));
                return true;
            }
            // Fetch in steps sized from the rows seen so far, so a chunk of wide rows stops near the byte limit.
            var step = sink.Rows == 0
                ? Math.Min(remaining, 16)
                : (int)Math.Clamp((SqlCalls.ChunkBytes - sink.Bytes) / Math.Max(1, sink.Bytes / sink.Rows), 1, remaining);
            var result = await cursor.FetchAsync(step, sink, cancellationToken).ConfigureAwait(false);
            if (!result.Suspended)
            {
                SqlWire.ChunkEnd(w, result);
                return false;
            }
        }
    }
}
