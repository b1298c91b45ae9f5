using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces.Sql;
using Orleans.Concurrency;

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
        var functions = new SqlFunctionName[options.Functions.Count];
        for (var i = 0; i < functions.Length; i++)
        {
            functions[i] = new SqlFunctionName(options.Functions[i].Name, options.Functions[i].ArgumentCount);
        }
        var request = new SqlOpenRequest(router.Self, tenant, options.SetupSql, functions);
        SqlOpenReply reply;
        try
        {
            reply = await router.CallAsync(node, (target, ct) => target.OpenAsync(request, ct), router.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeCallException e)
        {
            return new OpenOutcome(null, 0, $"node {node} cannot be reached ({e.Message})");
        }
        switch (reply.Status)
        {
            case SqlCallStatus.Ok:
                var session = new RemoteSqlSession(router, node, reply.Session, tenant, reply.State);
                router.Register(session);
                return new OpenOutcome(session, node, "");
            case SqlCallStatus.NotLeader:
                return new OpenOutcome(null, reply.LeaderHint, $"node {node} does not lead it");
            default:
                return new OpenOutcome(null, 0, $"node {node} refused: {reply.Message}");
        }
    }

    /// <summary>The hosting silo no longer knows the session (its renewal said so): every later call fails.</summary>
    public void MarkLost(string reason) => _lost ??= reason;

    /// <summary>Sent to the leader with the next call that waits for its answer (<see cref="SqlSessionCall.StatementTimeout"/>).</summary>
    public TimeSpan StatementTimeout
    {
        get => _statementTimeout;
        set
        {
            _sendTimeout |= value != _statementTimeout;
            _statementTimeout = value;
        }
    }

    /// <summary>
    /// Makes a session call and returns its answer, keeping the transaction state it carries. A call without
    /// <paramref name="limit"/> is abandoned when another silo is seen to lead the tenant. The deferred settings ride on it.
    /// </summary>
    private async ValueTask<TReply> CallAsync<TReply>(
        Func<ISqlCalls, SqlSessionCall, CancellationToken, Task<TReply>> call, TimeSpan limit, CancellationToken cancellationToken)
        where TReply : ISqlSessionReply<TReply>
    {
        if (_lost is { } lost)
        {
            throw new SqlBackendLostException(false, lost);
        }
        var sendTimeout = _sendTimeout;
        var session = new SqlSessionCall(Id, _failFirst, sendTimeout ? _statementTimeout : null);
        TReply reply;
        try
        {
            reply = limit == Timeout.InfiniteTimeSpan
                ? await _router.CallWatchingLeaderAsync(Node, Tenant, (target, ct) => call(target, session, ct), cancellationToken).ConfigureAwait(false)
                : await _router.CallAsync(Node, (target, ct) => call(target, session, ct), limit, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeCallException e)
        {
            MarkLost(e.Message);
            throw new SqlBackendLostException(e.Sent, e.Message, e);
        }
        _failFirst = false;
        if (sendTimeout)
        {
            _sendTimeout = false;
        }
        if (reply.Status != SqlCallStatus.Ok)
        {
            var message = $"node {Node} lost the SQL session of tenant {Tenant}: {reply.Message}";
            MarkLost(message);
            // NoSession: the session, and whatever it held, is gone; nothing ran.
            throw new SqlBackendLostException(reply.Status != SqlCallStatus.NoSession, message);
        }
        _state = reply.State;
        return reply;
    }

    public SqlPrepareResult Prepare(string sql) => PrepareAsync(sql, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <summary>Prepares on the leader without blocking a thread.</summary>
    public async ValueTask<SqlPrepareResult> PrepareAsync(string sql, CancellationToken cancellationToken)
    {
        var reply = await CallAsync((target, session, ct) => target.PrepareAsync(session, sql, ct), _router.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (reply.Statement is not { } prepared)
        {
            return new SqlPrepareResult(null, reply.TailOffset, reply.Error);
        }
        var statement = new RemoteSqlStatement(
            this, prepared.Id, prepared.Sql, prepared.ParameterCount, prepared.Columns, prepared.CommandVerb, prepared.IsReadOnly);
        return new SqlPrepareResult(statement, reply.TailOffset, null);
    }

    public async ValueTask<SqlExecuteResult> ExecuteAsync(ISqlStatement statement, ReadOnlyMemory<SqlValue> parameters, CancellationToken cancellationToken)
    {
        var id = ((RemoteSqlStatement)statement).Id;
        // The values are never changed after this: the leader's silo may hold the array as it is.
        var values = new Immutable<SqlValue[]>(parameters.ToArray());
        var reply = await CallAsync((target, session, ct) => target.ExecuteAsync(session, id, values, ct), Timeout.InfiniteTimeSpan, cancellationToken)
            .ConfigureAwait(false);
        if (reply.Error is { } error)
        {
            return new SqlExecuteResult(null, error);
        }
        if (reply.Columns is not { } columns || reply.Chunk is not { } chunk)
        {
            return new SqlExecuteResult(null, new SqlError(SqlStates.InternalError, "the leader's answer held neither rows nor an error"));
        }
        return new SqlExecuteResult(new RemoteSqlCursor(this, reply.Cursor, columns, chunk), null);
    }

    /// <summary>The next chunk of rows of cursor <paramref name="cursorId"/>: up to <paramref name="maxRows"/> (0 for a full chunk).</summary>
    internal async ValueTask<SqlRowChunk> FetchAsync(ulong cursorId, int maxRows, CancellationToken cancellationToken)
    {
        var reply = await CallAsync((target, session, ct) => target.FetchAsync(session, cursorId, maxRows, ct), Timeout.InfiniteTimeSpan, cancellationToken)
            .ConfigureAwait(false);
        return reply.Chunk ?? throw new SqlBackendLostException(true, $"node {Node} answered a fetch without rows");
    }

    /// <summary>Closes a statement on the leader; a lost session has nothing left to close.</summary>
    internal ValueTask CloseStatementAsync(ulong statement) =>
        CloseAsync((target, session, ct) => target.CloseStatementAsync(session, statement, ct));

    /// <summary>Closes a cursor on the leader; a lost session has nothing left to close.</summary>
    internal ValueTask CloseCursorAsync(ulong cursor) =>
        CloseAsync((target, session, ct) => target.CloseCursorAsync(session, cursor, ct));

    private async ValueTask CloseAsync(Func<ISqlCalls, SqlSessionCall, CancellationToken, Task<SqlSessionReply>> close)
    {
        if (_lost is not null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        try
        {
            await CallAsync(close, _router.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
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
            var id = Id;
            _ = _router.SendAsync(Node, (target, _) => target.CancelAsync(id));
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
            var id = Id;
            await _router.SendAsync(Node, (target, _) => target.CloseAsync(id)).ConfigureAwait(false);
        }
    }
}
