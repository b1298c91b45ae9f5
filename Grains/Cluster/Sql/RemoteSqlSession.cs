using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// A session hosted on the silo that leads the tenant (<see cref="SqlCallHandler"/>), driven through cluster calls.
/// Its failures to reach that session throw <see cref="SqlBackendLostException"/>; SQL errors come back as values.
/// </summary>
/// <remarks>
/// Same threading contract as <see cref="ISqlSession"/>. <see cref="Prepare"/> waits for its round trip (the
/// contract is synchronous); <see cref="PrepareAsync"/> does not. <see cref="Fail"/> costs no call: it rides on the
/// next one. The transaction state is the one the leader reported with its last answer.
/// </remarks>
internal sealed partial class RemoteSqlSession : ISqlSession
{
    /// <summary>Where the flags byte sits in a request: after <c>u8 op | u64 session</c>.</summary>
    private const int FlagsOffset = 9;

    private readonly SqlRouter _router;
    private SqlTransactionState _state;
    private bool _failFirst;
    private TimeSpan _statementTimeout;
    private bool _sendTimeout;
    private volatile string? _lost;
    private int _disposed;

    private RemoteSqlSession(SqlRouter router, ulong node, ulong id, string tenant, SqlTransactionState state)
    {
        _router = router;
        Node = node;
        Id = id;
        Tenant = tenant;
        _state = state;
    }

    /// <summary>The silo hosting the session.</summary>
    public ulong Node { get; }

    /// <summary>The session's id on <see cref="Node"/>.</summary>
    public ulong Id { get; }

    public string Tenant { get; }

    public SqlTransactionState TransactionState => _state;

    /// <summary>What opening a remote session came to: the session, or why not and who leads as that silo knows.</summary>
    public readonly record struct OpenOutcome(RemoteSqlSession? Session, ulong LeaderHint, string Reason);

    /// <summary>Opens a session on <paramref name="node"/>, which answers unless it does not lead the tenant.</summary>
    public static async ValueTask<OpenOutcome> OpenAsync(SqlRouter router, ulong node, string tenant, SqlSessionOptions options, CancellationToken cancellationToken)
    {
        var w = new WireWriter();
        w.Byte((byte)SqlCallOp.Open);
        w.UInt64(router.Self);
        w.String(tenant);
        SqlWire.OptionalString(w, options.SetupSql);
        w.Int32(options.Functions.Count);
        foreach (var function in options.Functions)
        {
            w.String(function.Name);
            w.Int32(function.ArgumentCount);
        }
        NodeCallResult response;
        try
        {
            response = await router.CallAsync(node, w.Written, router.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeCallException e)
        {
            return new OpenOutcome(null, 0, $"node {node} cannot be reached ({e.Message})");
        }
        var r = new WireReader(response.Payload.Span);
        switch ((SqlCallStatus)response.Status)
        {
            case SqlCallStatus.Ok:
                var session = new RemoteSqlSession(router, node, r.UInt64(), tenant, (SqlTransactionState)r.Byte());
                router.Register(session);
                return new OpenOutcome(session, node, "");
            case SqlCallStatus.NotLeader:
                var hint = r.UInt64();
                return new OpenOutcome(null, hint, $"node {node} does not lead it");
            default:
                return new OpenOutcome(null, 0, $"node {node} refused: {r.String()}");
        }
    }

    /// <summary>The hosting silo no longer knows the session (its renewal said so): every later call fails.</summary>
    public void MarkLost(string reason) => _lost ??= reason;

    /// <summary>Sent to the leader with the next call that waits for its answer, as <see cref="SqlCallFlags.StatementTimeout"/>.</summary>
    public TimeSpan StatementTimeout
    {
        get => _statementTimeout;
        set
        {
            _sendTimeout |= value != _statementTimeout;
            _statementTimeout = value;
        }
    }

    private WireWriter Request(SqlCallOp op)
    {
        var w = new WireWriter();
        w.Byte((byte)op);
        w.UInt64(Id);
        // Cancel and Close are sent without waiting for an answer: the deferred settings ride on the next real call.
        var withSettings = op is not (SqlCallOp.Cancel or SqlCallOp.Close);
        var flags = _failFirst ? SqlCallFlags.FailFirst : SqlCallFlags.None;
        if (withSettings && _sendTimeout)
        {
            flags |= SqlCallFlags.StatementTimeout;
        }
        w.Byte((byte)flags);
        if ((flags & SqlCallFlags.StatementTimeout) != 0)
        {
            w.Int32((int)Math.Min(int.MaxValue, (long)_statementTimeout.TotalMilliseconds));
        }
        return w;
    }

    /// <summary>
    /// Makes a session call and returns the answer's payload without its trailing transaction state, which it keeps.
    /// A call without <paramref name="limit"/> is abandoned when another silo is seen to lead the tenant.
    /// </summary>
    private async ValueTask<ReadOnlyMemory<byte>> CallAsync(WireWriter request, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (_lost is { } lost)
        {
            throw new SqlBackendLostException(false, lost);
        }
        NodeCallResult response;
        try
        {
            response = limit == Timeout.InfiniteTimeSpan
                ? await _router.CallWatchingLeaderAsync(Node, Tenant, request.Written, cancellationToken).ConfigureAwait(false)
                : await _router.CallAsync(Node, request.Written, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeCallException e)
        {
            MarkLost(e.Message);
            throw new SqlBackendLostException(e.Sent, e.Message, e);
        }
        _failFirst = false;
        if ((request.Written.Span[FlagsOffset] & (byte)SqlCallFlags.StatementTimeout) != 0)
        {
            _sendTimeout = false;
        }
        var payload = response.Payload;
        if ((SqlCallStatus)response.Status != SqlCallStatus.Ok || payload.IsEmpty)
        {
            var reason = payload.IsEmpty ? "an empty answer" : new WireReader(payload.Span).String();
            var message = $"node {Node} lost the SQL session of tenant {Tenant}: {reason}";
            MarkLost(message);
            // NoSession: the session, and whatever it held, is gone; nothing ran.
            throw new SqlBackendLostException((SqlCallStatus)response.Status != SqlCallStatus.NoSession, message);
        }
        _state = (SqlTransactionState)payload.Span[^1];
        return payload[..^1];
    }

    public SqlPrepareResult Prepare(string sql) => PrepareAsync(sql, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>Prepares on the leader without blocking a thread.</summary>
    public async ValueTask<SqlPrepareResult> PrepareAsync(string sql, CancellationToken cancellationToken)
    {
        var w = Request(SqlCallOp.Prepare);
        w.String(sql);
        var payload = await CallAsync(w, _router.RequestTimeout, cancellationToken).ConfigureAwait(false);
        return DecodePrepare(payload.Span);
    }

    private SqlPrepareResult DecodePrepare(ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload);
        var outcome = r.Byte();
        var tail = r.Int32();
        switch (outcome)
        {
            case 0:
                return new SqlPrepareResult(null, tail, null);
            case 2:
                return new SqlPrepareResult(null, tail, SqlWire.Error(ref r));
            default:
                var id = r.UInt64();
                var parameters = r.Int32();
                var verb = r.String();
                var readOnly = r.Byte() == 1;
                var text = r.String();
                var columns = SqlWire.Columns(ref r);
                return new SqlPrepareResult(new RemoteSqlStatement(this, id, text, parameters, columns, verb, readOnly), tail, null);
        }
    }

    public async ValueTask<SqlExecuteResult> ExecuteAsync(ISqlStatement statement, ReadOnlyMemory<SqlValue> parameters, CancellationToken cancellationToken)
    {
        var st = (RemoteSqlStatement)statement;
        var w = Request(SqlCallOp.Execute);
        w.UInt64(st.Id);
        SqlWire.Values(w, parameters.Span);
        var payload = await CallAsync(w, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        var r = new WireReader(payload.Span);
        if (r.Byte() == 2)
        {
            return new SqlExecuteResult(null, SqlWire.Error(ref r));
        }
        var columns = SqlWire.Columns(ref r);
        var cursorId = r.UInt64();
        var length = r.Bytes().Length;
        return new SqlExecuteResult(new RemoteSqlCursor(this, cursorId, columns, payload.Slice(r.Position - length, length)), null);
    }

    /// <summary>The next chunk of rows of cursor <paramref name="cursorId"/>: up to <paramref name="maxRows"/> (0 for a full chunk).</summary>
    internal async ValueTask<ReadOnlyMemory<byte>> FetchAsync(ulong cursorId, int maxRows, CancellationToken cancellationToken)
    {
        var w = Request(SqlCallOp.Fetch);
        w.UInt64(cursorId);
        w.Int32(maxRows);
        return await CallAsync(w, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes a statement or a cursor on the leader; a lost session has nothing left to close.</summary>
    internal async ValueTask CloseAsync(SqlCallOp op, ulong target)
    {
        if (_lost is not null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        var w = Request(op);
        w.UInt64(target);
        try
        {
            await CallAsync(w, _router.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqlBackendLostException)
        {
        }
    }

    public void Fail()
    {
        if (_state == SqlTransactionState.InTransaction)
        {
            _state = SqlTransactionState.Failed;
            _failFirst = true;
        }
    }

    public void Cancel()
    {
        if (_lost is null)
        {
            _ = _router.SendAsync(Node, Request(SqlCallOp.Cancel).Written);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _router.Forget(this);
        if (_lost is null)
        {
            // The leader rolls back and frees the write lock now rather than when the lease runs out.
            await _router.SendAsync(Node, Request(SqlCallOp.Close).Written).ConfigureAwait(false);
        }
    }
}
