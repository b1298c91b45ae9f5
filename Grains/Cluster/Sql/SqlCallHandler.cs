using System.Collections.Concurrent;
using IceFire.Grains.Cluster.Forwarding;
using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// Serves SQL session calls (<see cref="SqlCalls.Kind"/>) from other silos against the tenants this silo leads
/// (<see cref="ISqlLeaders.LocalLeader"/>). Thread-safe; calls on one session run one at a time, except
/// <see cref="SqlCallOp.Cancel"/>, which interrupts the running one.
/// </summary>
/// <remarks>
/// A hosted session ends when its caller closes it; when its caller stops renewing it (the calling silo renews
/// its open sessions every <see cref="SqlRouter.KeepAliveInterval"/>; a session neither used nor renewed for the lease,
/// 90 s by default, is closed and its transaction rolled back, which is how a crashed or partitioned caller's
/// write lock is freed); when <see cref="DropSessionsOf"/> names its caller (a silo declared down or restarted);
/// and when the handler is disposed. A call cancelled by its caller, or cut off by a broken connection, interrupts
/// its statement.
/// </remarks>
internal sealed partial class SqlCallHandler : IAsyncDisposable
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

    /// <summary>Serves one call of kind <see cref="SqlCalls.Kind"/>.</summary>
    public async ValueTask<NodeCallResult> HandleAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            if (payload.IsEmpty)
            {
                throw new FormatException("the payload is empty");
            }
            var op = (SqlCallOp)payload.Span[0];
            return op switch
            {
                SqlCallOp.Open => await OpenAsync(payload, cancellationToken).ConfigureAwait(false),
                SqlCallOp.KeepAlive => KeepAlive(payload),
                _ => await SessionCallAsync(op, payload, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (FormatException e)
        {
            return Failure(SqlCallStatus.Failed, "malformed SQL session call: " + e.Message);
        }
        catch (Exception e) when (e is TenantUnavailableException or ObjectDisposedException)
        {
            return Failure(SqlCallStatus.Unavailable, e.Message);
        }
    }

    internal static NodeCallResult Failure(SqlCallStatus status, string message, ulong leaderHint = 0)
    {
        var w = new WireWriter();
        if (status == SqlCallStatus.NotLeader)
        {
            w.UInt64(leaderHint);
        }
        w.String(message);
        return new NodeCallResult((byte)status, w.Written);
    }

    private async ValueTask<NodeCallResult> OpenAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var (origin, tenant, options) = DecodeOpen(payload.Span);
        if (_disposed)
        {
            return Failure(SqlCallStatus.Unavailable, "the silo is stopping");
        }
        if (_leaders.LocalLeader(tenant) is not { } leader)
        {
            return Failure(SqlCallStatus.NotLeader, $"this silo does not lead tenant {tenant}", _leaders.LeaderOf(tenant));
        }
        var session = await leader.OpenSessionAsync(options, cancellationToken).ConfigureAwait(false);
        var hosted = new HostedSqlSession((ulong)Interlocked.Increment(ref _nextSession), origin, tenant, session);
        _sessions[hosted.Id] = hosted;
        if (_disposed)
        {
            await CloseAsync(hosted).ConfigureAwait(false);
            return Failure(SqlCallStatus.Unavailable, "the silo is stopping");
        }
        var w = new WireWriter();
        w.UInt64(hosted.Id);
        w.Byte((byte)session.TransactionState);
        return new NodeCallResult((byte)SqlCallStatus.Ok, w.Written);
    }

    private (ulong Origin, string Tenant, SqlSessionOptions Options) DecodeOpen(ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload[1..]);
        var origin = r.UInt64();
        var tenant = r.String();
        var setup = SqlWire.OptionalString(ref r);
        var count = r.Int32();
        var wanted = new HashSet<(string, int)>();
        for (var i = 0; i < count; i++)
        {
            wanted.Add((r.String(), r.Int32()));
        }
        var functions = new List<SqlScalarFunction>();
        if (wanted.Count > 0 && _functions is not null)
        {
            foreach (var function in _functions(tenant))
            {
                if (wanted.Contains((function.Name, function.ArgumentCount)))
                {
                    functions.Add(function);
                }
            }
        }
        return (origin, tenant, new SqlSessionOptions { SetupSql = setup, Functions = functions });
    }

    private NodeCallResult KeepAlive(ReadOnlyMemory<byte> payload)
    {
        var r = new WireReader(payload.Span[1..]);
        var origin = r.UInt64();
        var count = r.Int32();
        var unknown = new List<ulong>();
        for (var i = 0; i < count; i++)
        {
            var id = r.UInt64();
            if (_sessions.TryGetValue(id, out var session) && session.Origin == origin)
            {
                session.Touch();
            }
            else
            {
                unknown.Add(id);
            }
        }
        var w = new WireWriter();
        w.Int32(unknown.Count);
        foreach (var id in unknown)
        {
            w.UInt64(id);
        }
        return new NodeCallResult((byte)SqlCallStatus.Ok, w.Written);
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
