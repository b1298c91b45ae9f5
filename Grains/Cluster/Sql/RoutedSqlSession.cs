using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// A client's session on a tenant, wherever the client connected: its statements run in a backend session on the
/// silo that leads the tenant's group, this silo's own (<see cref="ISqlLeaders.LocalLeader"/>) or another's
/// (<see cref="RemoteSqlSession"/>). When leadership moves, the session follows it.
/// </summary>
/// <remarks>
/// <para>Outside a transaction a lost backend is replaced transparently: the statement waits (short backoff, up to
/// <see cref="SqlRouter.RequestTimeout"/>) for a leader it can reach, then fails with 57P03; statements the client
/// prepared stay valid and are prepared again on the new backend when next executed. A write whose answer was lost
/// with its backend is not run again: it fails with 08007, its outcome unknown.</para>
/// <para>Inside a transaction a lost backend takes the transaction with it: the statement fails with 40001 and the
/// session stays failed until ROLLBACK (as PostgreSQL's aborted transaction does); a COMMIT whose answer was lost
/// fails with 08007 and ends the transaction. Cursors of a lost backend fail their next fetch (40001 inside a
/// transaction, 57P03 outside).</para>
/// <para>Same threading contract as <see cref="ISqlSession"/>. <see cref="Prepare"/> blocks on its round trip when
/// the backend is remote.</para>
/// </remarks>
internal sealed partial class RoutedSqlSession(SqlRouter router, string tenant, SqlSessionOptions options) : ISqlSession
{
    private ISqlSession? _backend;
    private int _generation;
    private ulong _leaderHint;
    private bool _orphaned;
    private bool _disposed;
    private TimeSpan _statementTimeout;

    public string Tenant => tenant;

    /// <summary>The silo running the session's statements now; 0 while it has no backend.</summary>
    public ulong BackendNode { get; private set; }

    /// <summary>Counts backends: a statement or cursor made under another generation belongs to a lost backend.</summary>
    internal int Generation => _generation;

    public SqlTransactionState TransactionState =>
        _orphaned ? SqlTransactionState.Failed : Volatile.Read(ref _backend)?.TransactionState ?? SqlTransactionState.Idle;

    /// <summary>Kept here and handed to each backend, a new one after a leader change included.</summary>
    public TimeSpan StatementTimeout
    {
        get => _statementTimeout;
        set
        {
            _statementTimeout = value;
            if (Volatile.Read(ref _backend) is { } backend)
            {
                backend.StatementTimeout = value;
            }
        }
    }

    /// <summary>Opens the first backend; the error when no leader could be reached in time.</summary>
    internal async ValueTask<SqlError?> ConnectAsync(CancellationToken cancellationToken) =>
        (await BackendAsync(Environment.TickCount64, cancellationToken).ConfigureAwait(false)).Error;

    private static bool IsLeadershipError(SqlError error) =>
        error.SqlState is SqlStates.SerializationFailure or SqlStates.CannotConnectNow;

    private long Waited(long started) => Environment.TickCount64 - started;

    private bool Expired(long started) => Waited(started) >= (long)router.RequestTimeout.TotalMilliseconds;

    private SqlError NoLeader(string reason, long started) =>
        new(SqlStates.CannotConnectNow, $"tenant {tenant} has no leader (waited {Waited(started)} ms): {reason}");

    /// <summary>The current backend, or a new one on the tenant's leader, waiting for one until the request timeout.</summary>
    private async ValueTask<(ISqlSession? Backend, SqlError? Error)> BackendAsync(long started, CancellationToken cancellationToken)
    {
        if (_backend is { } current)
        {
            return (current, null);
        }
        var reason = "its group has no leader yet";
        for (var attempt = 0; ; attempt++)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (router.Leaders.LocalLeader(tenant) is { } local)
            {
                try
                {
                    var session = await local.OpenSessionAsync(options, cancellationToken).ConfigureAwait(false);
                    return (Attach(session, router.Self), null);
                }
                catch (Exception e) when (e is Interfaces.TenantUnavailableException or ObjectDisposedException)
                {
                    reason = $"this silo's replica cannot open it ({e.Message})";
                }
            }
            else if (Target(attempt) is var node and not 0)
            {
                var outcome = await RemoteSqlSession.OpenAsync(router, node, tenant, options, cancellationToken).ConfigureAwait(false);
                if (outcome.Session is { } session)
                {
                    return (Attach(session, node), null);
                }
                _leaderHint = outcome.LeaderHint == node ? 0 : outcome.LeaderHint;
                reason = outcome.Reason;
            }
            if (Expired(started))
            {
                return (null, NoLeader(reason, started));
            }
            await Task.Delay(Math.Min(10 << Math.Min(attempt, 4), 150), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Where to open the next backend: the leader as last heard, else each replica in turn.</summary>
    private ulong Target(int attempt)
    {
        var self = router.Self;
        var leader = _leaderHint;
        if (leader == 0 || leader == self)
        {
            leader = router.Leaders.LeaderOf(tenant);
        }
        if (leader != 0 && leader != self)
        {
            return leader;
        }
        var replicas = router.ReplicasOf(tenant);
        var others = new List<ulong>(replicas.Count);
        foreach (var id in replicas)
        {
            if (id != self)
            {
                others.Add(id);
            }
        }
        return others.Count == 0 ? 0 : others[attempt % others.Count];
    }

    private ISqlSession Attach(ISqlSession backend, ulong node)
    {
        if (_disposed)
        {
            _ = DisposeQuietlyAsync(backend);
            throw new ObjectDisposedException(nameof(RoutedSqlSession));
        }
        BackendNode = node;
        backend.StatementTimeout = _statementTimeout;
        Volatile.Write(ref _backend, backend);
        return backend;
    }

    /// <summary>Forgets the backend; a transaction open on it is gone (the leader rolls it back).</summary>
    private void DropBackend()
    {
        var backend = _backend;
        Volatile.Write(ref _backend, null);
        _generation++;
        BackendNode = 0;
        _leaderHint = 0;
        if (backend is not null)
        {
            _ = DisposeQuietlyAsync(backend);
        }
    }

    private static async Task DisposeQuietlyAsync(ISqlSession backend)
    {
        try
        {
            await backend.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqlBackendLostException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>The backend was lost: null when no transaction went with it, else the transaction's 40001.</summary>
    private SqlError? Lose(SqlTransactionState before, string reason)
    {
        DropBackend();
        if (before == SqlTransactionState.Idle)
        {
            return null;
        }
        _orphaned = true;
        return TransactionLost(reason);
    }

    private SqlError TransactionLost(string reason) =>
        new(SqlStates.SerializationFailure, $"the leader of tenant {tenant} changed and the transaction was rolled back ({reason})");

    private static ValueTask<SqlPrepareResult> PrepareOnAsync(ISqlSession backend, string sql, CancellationToken cancellationToken) =>
        backend is RemoteSqlSession remote ? remote.PrepareAsync(sql, cancellationToken) : ValueTask.FromResult(backend.Prepare(sql));

    public SqlPrepareResult Prepare(string sql) => PrepareAsync(sql, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public async ValueTask<SqlPrepareResult> PrepareAsync(string sql, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        while (true)
        {
            var (backend, error) = _backend is { } current ? (current, null) : await BackendAsync(started, cancellationToken).ConfigureAwait(false);
            if (backend is null)
            {
                return new SqlPrepareResult(null, sql.Length, error);
            }
            var before = backend.TransactionState;
            string reason;
            try
            {
                var prepared = await PrepareOnAsync(backend, sql, cancellationToken).ConfigureAwait(false);
                if (prepared.Statement is { } statement)
                {
                    return new SqlPrepareResult(new RoutedSqlStatement(this, statement, _generation), prepared.TailOffset, null);
                }
                if (prepared.Error is not { } failure || !IsLeadershipError(failure))
                {
                    return prepared;
                }
                reason = failure.Message;
            }
            catch (SqlBackendLostException e)
            {
                reason = e.Message;
            }
            if (Lose(before, reason) is { } lost)
            {
                return new SqlPrepareResult(null, sql.Length, lost);
            }
            if (Expired(started))
            {
                return new SqlPrepareResult(null, sql.Length, NoLeader(reason, started));
            }
        }
    }

    public void Fail()
    {
        if (!_orphaned)
        {
            _backend?.Fail();
        }
    }

    public void Cancel()
    {
        Volatile.Read(ref _backend)?.Cancel();
        Volatile.Read(ref _reader)?.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await CloseReaderAsync().ConfigureAwait(false);
        var backend = _backend;
        Volatile.Write(ref _backend, null);
        _generation++;
        if (backend is not null)
        {
            await DisposeQuietlyAsync(backend).ConfigureAwait(false);
        }
    }
}
