using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Cluster.Sql;
using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;
using IceFire.Grains.Tests.Support;
using Orleans.Concurrency;

namespace IceFire.Grains.Tests.Cluster.Sql;

/// <summary>
/// Fake silos for the SQL routing faults real silos cannot be made to show on cue (<see cref="SqlRoutingFaultTests"/>):
/// each serves SQL session calls and routes its own sessions, with calls between them made in process
/// (<see cref="INodeCalls"/> by hand) so that a silo can die between taking a call and answering it, or hold a call
/// unanswered with its connection up. Tenant <see cref="Tenant"/>'s database is one SQLite file that every silo's
/// "replica" opens, so data written under one leader is there under the next; <see cref="Leader"/> says which silo
/// leads (0 for none, for as long as a test wants), and a session on a silo that stopped leading refuses statements with
/// 40001, as the leader-side database promises. Each silo's database replicates through
/// <see cref="SharedFileReplication"/>, which applies a committed unit to the shared file at once: these tests exercise
/// routing, not Raft. Routing through real silos is tested on <see cref="Support.Silos.SiloCluster"/>.
/// </summary>
internal sealed class SqlRoutingCluster : IAsyncDisposable
{
    public const string Tenant = "shop";

    private readonly TempDirectory _directory = new("icefire-sqlroute");
    private readonly Dictionary<ulong, Silo> _silos = [];
    private readonly Lock _applyGate = new();
    private readonly SqlReplicaFile _file;
    private long _leader;
    private long _term;
    private long _applied;

    public SqlRoutingCluster(int silos = 2, TimeSpan? requestTimeout = null, TimeSpan? lease = null, TimeSpan? keepAlive = null)
    {
        SqlCallSerialization.Warm();
        _file = SqlReplicaFile.Open(DatabasePath);
        for (ulong id = 1; id <= (ulong)silos; id++)
        {
            _silos[id] = new Silo(this, id, requestTimeout ?? TimeSpan.FromSeconds(5), lease, keepAlive);
        }
        Leader = 1;
    }

    /// <summary>The silo leading the tenant; 0 for none.</summary>
    public ulong Leader
    {
        get => (ulong)Interlocked.Read(ref _leader);
        set
        {
            // A new term with each change of leader, as an election would start one.
            Interlocked.Increment(ref _term);
            Interlocked.Exchange(ref _leader, (long)value);
        }
    }

    public string DatabasePath => Path.Combine(_directory.Path, "tables.sqlite");

    public Silo this[ulong id] => _silos[id];

    /// <summary>Opens a routed session from a client connected to silo <paramref name="id"/>.</summary>
    public async Task<ISqlSession> ConnectAsync(ulong id, SqlSessionOptions? options = null) =>
        await _silos[id].Router.OpenSessionAsync(Tenant, options ?? new SqlSessionOptions(), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos.Values)
        {
            await silo.DisposeAsync();
        }
        _file.Dispose();
        _directory.Dispose();
    }

    /// <summary>
    /// The tenant's group as silo <paramref name="silo"/> sees it: it leads while <see cref="Leader"/> names it, in
    /// the term of that change of leader, and a unit it commits is applied to the shared file at once, in commit order.
    /// </summary>
    private sealed class SharedFileReplication(SqlRoutingCluster cluster, ulong silo) : ISqlReplication
    {
        public ulong LeaderTerm
        {
            get
            {
                var term = (ulong)Interlocked.Read(ref cluster._term);
                return cluster.Leader == silo ? term : 0;
            }
        }

        public ValueTask BeforeWriteAsync(CancellationToken cancellationToken) => Leads();

        public ValueTask BeforeReadAsync(CancellationToken cancellationToken) => Leads();

        public Task CommitAsync(SqlWriteUnit unit, CancellationToken cancellationToken)
        {
            if (LeaderTerm == 0)
            {
                throw NotLeader();
            }
            lock (cluster._applyGate)
            {
                cluster._file.Apply(++cluster._applied, unit);
            }
            return Task.CompletedTask;
        }

        private ValueTask Leads() => LeaderTerm != 0 ? ValueTask.CompletedTask : ValueTask.FromException(NotLeader());

        private SqlReplicationException NotLeader() =>
            new(new SqlError(SqlStates.SerializationFailure, $"node {silo} does not lead tenant {Tenant} (leader {cluster.Leader}); run it again"));
    }

    internal sealed class Silo : IAsyncDisposable
    {
        private readonly SqlRoutingCluster _cluster;

        public Silo(SqlRoutingCluster cluster, ulong id, TimeSpan requestTimeout, TimeSpan? lease, TimeSpan? keepAlive)
        {
            _cluster = cluster;
            Id = id;
            Database = new LocalSqlTenant(Tenant, cluster.DatabasePath, new SharedFileReplication(cluster, id));
            var leaders = new Leaders(this);
            // What a gateway registers on this silo: a remote session gets the functions its caller named.
            Handler = new SqlCallHandler(leaders, _ => [new SqlScalarFunction("answer", 0, _ => SqlValue.FromInteger(42))], lease);
            Router = new SqlRouter(id, leaders, new Calls(cluster), requestTimeout, _ => [1, 2, 3], keepAlive);
            _target = new DyingSqlCalls(this);
        }

        private int _dieOnNextExecute;

        /// <summary>What other silos' calls reach.</summary>
        private readonly INodeCallTarget _target;

        public ulong Id { get; }

        /// <summary>The next statement execution reaches this silo, which then dies before answering.</summary>
        public void DieOnNextExecute() => Volatile.Write(ref _dieOnNextExecute, 1);

        /// <summary>From now on this silo takes session closes but never answers them, until it stops.</summary>
        public void HangCloses() => Volatile.Write(ref _hangCloses, 1);

        private int _hangCloses;

        /// <summary>True once an execution made the silo die.</summary>
        public bool Died { get; private set; }

        public LocalSqlTenant Database { get; }

        public SqlCallHandler Handler { get; }

        public SqlRouter Router { get; }

        /// <summary>Fails every call in flight to this silo and refuses new ones, as a killed process would.</summary>
        public Task StopListeningAsync() => _stopped.CancelAsync();

        private readonly CancellationTokenSource _stopped = new();

        /// <summary>Serves a call from another silo of the cluster, as the silo's node service would.</summary>
        public async Task<TResult> ServeAsync<TTarget, TResult>(Func<TTarget, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
            where TTarget : class, INodeCallTarget
        {
            if (_stopped.IsCancellationRequested)
            {
                throw new NodeCallException(false, $"node {Id} cannot be reached");
            }
            var target = _target as TTarget ?? throw new InvalidOperationException($"the silo serves no {typeof(TTarget).Name}");
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
            try
            {
                // Off the caller's stack, as a call to another process would be, and the answer through Orleans' serializer.
                return SqlCallSerialization.RoundTrip(await Task.Run(() => call(target, either.Token), either.Token));
            }
            catch (OperationCanceledException) when (_stopped.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new NodeCallException(true, $"node {Id} went away during the call");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Router.DisposeAsync();
            await _stopped.CancelAsync();
            await Handler.DisposeAsync();
            Database.Close();
            _stopped.Dispose();
        }

        /// <summary>What other silos' calls reach: the handler, except that an execution may make the silo die first.</summary>
        private sealed class DyingSqlCalls(Silo silo) : ISqlCalls
        {
            public Task<SqlOpenReply> OpenAsync(SqlOpenRequest request, CancellationToken cancellationToken) =>
                silo.Handler.OpenAsync(request, cancellationToken);

            public Task<SqlPrepareReply> PrepareAsync(SqlSessionCall session, string sql, CancellationToken cancellationToken) =>
                silo.Handler.PrepareAsync(session, sql, cancellationToken);

            public async Task<SqlExecuteReply> ExecuteAsync(
                SqlSessionCall session, ulong statement, Immutable<SqlValue[]> parameters, CancellationToken cancellationToken)
            {
                if (Interlocked.Exchange(ref silo._dieOnNextExecute, 0) == 1)
                {
                    silo.Died = true;
                    _ = silo.StopListeningAsync();
                    // The silo never answers this call (it dies first): the hang is the failure under test.
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                return await silo.Handler.ExecuteAsync(session, statement, parameters, cancellationToken);
            }

            public Task<SqlFetchReply> FetchAsync(SqlSessionCall session, ulong cursor, int maxRows, CancellationToken cancellationToken) =>
                silo.Handler.FetchAsync(session, cursor, maxRows, cancellationToken);

            public Task<SqlSessionReply> CloseStatementAsync(SqlSessionCall session, ulong statement, CancellationToken cancellationToken) =>
                silo.Handler.CloseStatementAsync(session, statement, cancellationToken);

            public Task<SqlSessionReply> CloseCursorAsync(SqlSessionCall session, ulong cursor, CancellationToken cancellationToken) =>
                silo.Handler.CloseCursorAsync(session, cursor, cancellationToken);

            public Task<SqlCallStatus> CancelAsync(ulong session) => silo.Handler.CancelAsync(session);

            public async Task<SqlSessionReply> CloseAsync(ulong session)
            {
                if (Volatile.Read(ref silo._hangCloses) == 1)
                {
                    // Not the caller's token: a close takes none, so only the caller's own limit ends its wait.
                    await Task.Delay(Timeout.Infinite, silo._stopped.Token);
                }
                return await silo.Handler.CloseAsync(session);
            }

            public Task<SqlKeepAliveReply> KeepAliveAsync(ulong origin, ulong[] sessions) => silo.Handler.KeepAliveAsync(origin, sessions);
        }

        /// <summary>Calls between the silos of this cluster, in process.</summary>
        private sealed class Calls(SqlRoutingCluster cluster) : INodeCalls
        {
            public Task<TResult> CallAsync<TTarget, TResult>(ulong nodeId, Func<TTarget, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
                where TTarget : class, INodeCallTarget =>
                cluster._silos.TryGetValue(nodeId, out var target)
                    ? target.ServeAsync(call, cancellationToken)
                    : Task.FromException<TResult>(new NodeCallException(false, $"node {nodeId} is not in the cluster"));
        }

        private sealed class Leaders(Silo silo) : ISqlLeaders
        {
            public ISqlTenant? LocalLeader(string tenant) =>
                tenant == Tenant && silo._cluster.Leader == silo.Id ? new FencedSqlTenant(silo.Database, () => silo._cluster.Leader == silo.Id) : null;

            public ulong LeaderOf(string tenant) => tenant == Tenant ? silo._cluster.Leader : 0;
        }
    }
}

/// <summary>A leader's database whose sessions refuse statements with 40001, rolling back, once it stops leading.</summary>
internal sealed class FencedSqlTenant(ISqlTenant inner, Func<bool> leads) : ISqlTenant
{
    public string Name => inner.Name;

    public async ValueTask<ISqlSession> OpenSessionAsync(SqlSessionOptions options, CancellationToken cancellationToken) =>
        new FencedSqlSession(await inner.OpenSessionAsync(options, cancellationToken), leads);

    private sealed class FencedSqlSession(ISqlSession inner, Func<bool> leads) : ISqlSession
    {
        private static readonly SqlError Moved = new(SqlStates.SerializationFailure, "leadership moved; the transaction was rolled back");

        public SqlTransactionState TransactionState => inner.TransactionState;

        public SqlPrepareResult Prepare(string sql) => inner.Prepare(sql);

        public async ValueTask<SqlExecuteResult> ExecuteAsync(ISqlStatement statement, ReadOnlyMemory<SqlValue> parameters, CancellationToken cancellationToken)
        {
            if (leads())
            {
                return await inner.ExecuteAsync(statement, parameters, cancellationToken);
            }
            if (inner.TransactionState != SqlTransactionState.Idle)
            {
                using var rollback = inner.Prepare("ROLLBACK").Statement!;
                var done = await inner.ExecuteAsync(rollback, ReadOnlyMemory<SqlValue>.Empty, cancellationToken);
                await done.Cursor!.DisposeAsync();
            }
            return new SqlExecuteResult(null, Moved);
        }

        public void Fail() => inner.Fail();

        public void Cancel() => inner.Cancel();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
