using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// A session this silo runs for a client connected to another silo: the leader's session, and the statements and
/// cursors handed out by id. One call at a time (<see cref="Gate"/>), except cancellation.
/// </summary>
internal sealed class HostedSqlSession(ulong id, ulong origin, string tenant, ISqlSession session)
{
    private readonly Dictionary<ulong, ISqlStatement> _statements = [];
    private readonly Dictionary<ulong, ISqlCursor> _cursors = [];
    private ulong _nextId;
    private long _lastSeen = Environment.TickCount64;

    public ulong Id => id;

    /// <summary>The silo whose client opened the session.</summary>
    public ulong Origin => origin;

    public string Tenant => tenant;

    public ISqlSession Session => session;

    /// <summary>Held by the call running on the session; the expiry sweep takes it too.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Set under <see cref="Gate"/> once the session is closed; calls that waited then find no session.</summary>
    public bool Closed { get; private set; }

    /// <summary>When the origin last used or renewed the session (<see cref="Environment.TickCount64"/>).</summary>
    public long LastSeen => Volatile.Read(ref _lastSeen);

    public void Touch() => Volatile.Write(ref _lastSeen, Environment.TickCount64);

    public ulong Add(ISqlStatement statement)
    {
        var key = ++_nextId;
        _statements[key] = statement;
        return key;
    }

    public ulong NextCursorId() => ++_nextId;

    public void AddCursor(ulong key, ISqlCursor cursor) => _cursors[key] = cursor;

    public ISqlStatement? Statement(ulong key) => _statements.GetValueOrDefault(key);

    public ISqlCursor? Cursor(ulong key) => _cursors.GetValueOrDefault(key);

    public void RemoveStatement(ulong key)
    {
        if (_statements.Remove(key, out var statement))
        {
            statement.Dispose();
        }
    }

    public ValueTask RemoveCursorAsync(ulong key) =>
        _cursors.Remove(key, out var cursor) ? cursor.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>Closes cursors, statements and the session (rolling back its transaction); call under <see cref="Gate"/>.</summary>
    public async ValueTask CloseAsync()
    {
        if (Closed)
        {
            return;
        }
        Closed = true;
        foreach (var cursor in _cursors.Values)
        {
            await cursor.DisposeAsync().ConfigureAwait(false);
        }
        _cursors.Clear();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }
        _statements.Clear();
        await session.DisposeAsync().ConfigureAwait(false);
    }
}
