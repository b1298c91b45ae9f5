using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// Serves SQL session calls (<see cref="ISqlCalls"/>) from other silos against the tenants this silo leads
/// (<see cref="ISqlLeaders.LocalLeader"/>). Thread-safe; calls on one session run one at a time, except
/// <see cref="CancelAsync"/>, which interrupts the running one.
/// </summary>
/// <remarks>
/// A hosted session ends when its caller closes it; when its caller stops renewing it (the calling silo renews
/// its open sessions every <see cref="SqlRouter.KeepAliveInterval"/>; a session neither used nor renewed for the lease,
/// 90 s by default, is closed and its transaction rolled back, which is how a crashed or partitioned caller's
/// write lock is freed); when <see cref="DropSessionsOf"/> names its caller (a silo declared down or restarted);
/// and when the handler is disposed. A call cancelled by its caller, or cut off by a broken connection, interrupts
/// its statement.
/// </remarks>
internal sealed partial class SqlCallHandler : ISqlCalls, IAsyncDisposable
{
    private readonly ISqlLeaders _leaders;
    private readonly Func<string, IReadOnlyList<SqlScalarFunction>>? _functions;
    private readonly long _leaseMs;
    private readonly ConcurrentDictionary<ulong, HostedSqlSession> _sessions = new();
    private readonly Timer _sweeper;
    private long _nextSession = Random.Shared.NextInt64(1, long.MaxValue / 2);
    private volatile bool _disposed;

    /// <param name="leaders">This silo's leading replicas.</param>
    /// <param name="functions">
    /// The scalar functions a gateway on this silo would register for a tenant's sessions; a remote session gets the
    /// ones its caller named (functions are code, so only their names travel). Null registers none.
    /// </param>
    /// <param name="lease">How long a session may go neither used nor renewed; 90 s when null.</param>
    public SqlCallHandler(ISqlLeaders leaders, Func<string, IReadOnlyList<SqlScalarFunction>>? functions = null, TimeSpan? lease = null)
    {
        _leaders = leaders;
        _functions = functions;
        var leaseSpan = lease ?? TimeSpan.FromSeconds(90);
        _leaseMs = (long)leaseSpan.TotalMilliseconds;
        var period = TimeSpan.FromMilliseconds(Math.Max(10, _leaseMs / 3));
        _sweeper = new Timer(_ => _ = SweepAsync(), null, period, period);
    }

    /// <summary>The sessions hosted now.</summary>
    public int SessionCount => _sessions.Count;

    public async Task<SqlOpenReply> OpenAsync(SqlOpenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await OpenHereAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TenantUnavailableException or ObjectDisposedException)
        {
            return new SqlOpenReply(SqlCallStatus.Unavailable, e.Message);
        }
    }

    private async Task<SqlOpenReply> OpenHereAsync(SqlOpenRequest request, CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return new SqlOpenReply(SqlCallStatus.Unavailable, "the silo is stopping");
        }
        if (_leaders.LocalLeader(request.Tenant) is not { } leader)
        {
            return new SqlOpenReply(SqlCallStatus.NotLeader, $"this silo does not lead tenant {request.Tenant}", LeaderHint: _leaders.LeaderOf(request.Tenant));
        }
        var session = await leader.OpenSessionAsync(Options(request), cancellationToken).ConfigureAwait(false);
        var hosted = new HostedSqlSession((ulong)Interlocked.Increment(ref _nextSession), request.Origin, request.Tenant, session);
        _sessions[hosted.Id] = hosted;
        if (_disposed)
        {
            await CloseAsync(hosted).ConfigureAwait(false);
            return new SqlOpenReply(SqlCallStatus.Unavailable, "the silo is stopping");
        }
        return new SqlOpenReply(SqlCallStatus.Ok, "", hosted.Id, session.TransactionState);
    }

    /// <summary>The session options of <paramref name="request"/>: its set-up script and the functions it names that this silo has.</summary>
    private SqlSessionOptions Options(SqlOpenRequest request)
    {
        var functions = new List<SqlScalarFunction>();
        if (request.Functions is { Length: > 0 } wanted && _functions is not null)
        {
            var names = new HashSet<(string, int)>();
            foreach (var name in wanted)
            {
                names.Add((name.Name, name.ArgumentCount));
            }
            foreach (var function in _functions(request.Tenant))
            {
                if (names.Contains((function.Name, function.ArgumentCount)))
                {
                    functions.Add(function);
                }
            }
        }
        return new SqlSessionOptions { SetupSql = request.SetupSql, Functions = functions };
    }

    public Task<SqlKeepAliveReply> KeepAliveAsync(ulong origin, ulong[] sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var unknown = new List<ulong>();
        foreach (var id in sessions)
        {
            if (_sessions.TryGetValue(id, out var session) && session.Origin == origin)
            {
                session.Touch();
            }
            else
            {
                unknown.Add(id);
            }
        }
        return Task.FromResult(new SqlKeepAliveReply([.. unknown]));
    }

    /// <summary>Closes every session opened by clients of <paramref name="origin"/> (it was declared down, or restarted).</summary>
    public async Task DropSessionsOf(ulong origin)
    {
        foreach (var session in _sessions.Values)
        {
            if (session.Origin == origin)
            {
                await CloseAsync(session).ConfigureAwait(false);
            }
        }
    }

    private async Task CloseAsync(HostedSqlSession session)
    {
        _sessions.TryRemove(new KeyValuePair<ulong, HostedSqlSession>(session.Id, session));
        // Interrupt what runs, so the gate frees promptly.
        session.Session.Cancel();
        await session.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await session.CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task SweepAsync()
    {
        var now = Environment.TickCount64;
        foreach (var session in _sessions.Values)
        {
            if (now - session.LastSeen < _leaseMs || !session.Gate.Wait(0))
            {
                continue;
            }
            try
            {
                if (Environment.TickCount64 - session.LastSeen >= _leaseMs)
                {
                    _sessions.TryRemove(new KeyValuePair<ulong, HostedSqlSession>(session.Id, session));
                    await session.CloseAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A session that fails to close is gone all the same; the sweep goes on with the others.
            }
            finally
            {
                session.Gate.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var session in _sessions.Values)
        {
            await CloseAsync(session).ConfigureAwait(false);
        }
    }
}
