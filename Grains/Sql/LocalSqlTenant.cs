using System.Collections.Concurrent;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Interfaces.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace IceFire.Grains.Sql;

/// <summary>
/// One tenant's SQLite database as its replica on this silo serves it, in WAL mode: sessions read concurrently; a
/// write is captured under the tenant's write lock (held from BEGIN to COMMIT or ROLLBACK by an interactive
/// transaction, for one batch by <see cref="SqlWriteBatcher"/>), rolled back, and committed through the tenant's Raft
/// group, whose apply alone writes the file (<see cref="Replication"/>). A single silo is a cluster of one: its group
/// has one voter.
/// </summary>
public sealed class LocalSqlTenant : ISqlTenant
{
    /// <summary>The file name of a tenant's SQLite database inside its replica's directory.</summary>
    public const string FileName = "tables.sqlite";

    private readonly string _path;
    private readonly ConcurrentDictionary<LocalSqlSession, byte> _sessions = new();
    private int _initialized;
    private volatile bool _closed;

    internal LocalSqlTenant(string name, string path, ISqlReplication replication)
    {
        Name = name;
        _path = path;
        Replication = replication;
    }

    public string Name { get; }

    /// <summary>How writes reach the file: through the tenant's Raft group.</summary>
    internal ISqlReplication Replication { get; }

    private SqlWriteBatcher? _batcher;

    /// <summary>Group commit of autocommit writes.</summary>
    internal SqlWriteBatcher Batcher =>
        LazyInitializer.EnsureInitialized(ref _batcher, () => new SqlWriteBatcher(this, Replication));

    /// <summary>The connection batched writes run on: a session's, without the session.</summary>
    internal SqliteConnection OpenWriter(SqlSessionOptions options) => Open(options);

    /// <summary>
    /// This replica stopped leading: every open write transaction is rolled back now, so the apply of the next
    /// leader's entries is not held up, and its session answers 40001 until the client ends the transaction.
    /// </summary>
    internal void AbortWrites()
    {
        foreach (var session in _sessions.Keys)
        {
            session.AbortWrite();
        }
    }

    /// <summary>
    /// How many statements of one tenant step at once, on this silo: the number of cores, and at least 2. Statements
    /// beyond it wait their turn (within their statement_timeout); a tenant running long queries so holds at most
    /// this many cores, and the other tenants' statements still find a thread.
    /// </summary>
    public static int StatementCap { get; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>The tenant's turns at stepping a statement (<see cref="StatementCap"/>); held for one step or one chunk of rows.</summary>
    internal SemaphoreSlim StatementSlots { get; } = new(StatementCap, StatementCap);

    /// <summary>One writer at a time; the session that holds it may keep it across round trips (BEGIN ... COMMIT).</summary>
    internal SemaphoreSlim WriteLock { get; } = new(1, 1);

    public ValueTask<ISqlSession> OpenSessionAsync(SqlSessionOptions options, CancellationToken cancellationToken) =>
        OpenAsync(options, followerReader: false, cancellationToken);

    /// <summary>
    /// A session of a replica, whatever its role, that answers reads from what the replica has applied, without a
    /// barrier, and refuses writes (25006): the follower reads a client opted into.
    /// </summary>
    internal ValueTask<ISqlSession> OpenFollowerReaderAsync(SqlSessionOptions options, CancellationToken cancellationToken) =>
        OpenAsync(options, followerReader: true, cancellationToken);

    private async ValueTask<ISqlSession> OpenAsync(SqlSessionOptions options, bool followerReader, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!followerReader)
        {
            // A replica just elected may not have applied all it committed: statements compile against a current schema.
            try
            {
                await Replication.BeforeReadAsync(cancellationToken);
            }
            catch (SqlReplicationException e)
            {
                throw new TenantUnavailableException(e.Message);
            }
        }
        var connection = await Task.Run(() => Open(options), cancellationToken);
        var session = new LocalSqlSession(this, connection) { IsFollowerReader = followerReader, Options = options };
        _sessions[session] = 0;
        if (_closed)
        {
            await session.DisposeAsync();
            throw new TenantUnavailableException($"tenant '{Name}' was dropped");
        }
        return session;
    }

    private SqliteConnection Open(SqlSessionOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        // Pooling off: each session owns its connection, and closing the session closes the file handle.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString());
        try
        {
            connection.Open();
            var db = connection.Handle!;
            raw.sqlite3_busy_timeout(db, 10_000);
            if (Interlocked.CompareExchange(ref _initialized, 1, 0) == 0)
            {
                // The journal mode is a property of the file: set once, kept by every later connection.
                Exec(db, "PRAGMA journal_mode=WAL");
            }
            // A session never commits to the file (its writes are captured and rolled back), but the last connection
            // to close checkpoints the WAL into it: that syncs as the replica's apply connection (SqlReplicaFile) does.
            Exec(db, "PRAGMA synchronous=FULL");
            Exec(db, "PRAGMA foreign_keys=ON");
            foreach (var function in options.Functions)
            {
                SqliteFunctions.Register(db, function);
            }
            SqliteAuthorizer.Install(db);
            if (!string.IsNullOrWhiteSpace(options.SetupSql))
            {
                Exec(db, options.SetupSql);
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Exec(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_exec(db, sql, out var error);
        if (rc != raw.SQLITE_OK)
        {
            throw new TenantUnavailableException($"cannot prepare the SQL session: {error}");
        }
    }

    internal void Forget(LocalSqlSession session) => _sessions.TryRemove(session, out _);

    /// <summary>The tenant was dropped: running statements are interrupted and every session fails from now on.</summary>
    internal void Close()
    {
        _closed = true;
        if (Volatile.Read(ref _batcher) is { } batcher)
        {
            _ = batcher.DisposeAsync().AsTask();
        }
        foreach (var session in _sessions.Keys)
        {
            session.Cancel();
        }
    }

    internal bool IsClosed => _closed;
}
