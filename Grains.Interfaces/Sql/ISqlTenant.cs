namespace IceFire.Grains.Interfaces.Sql;

/// <summary>
/// One tenant's SQL database, reached through sessions. Thread-safe. Writes are serialized per tenant (one writer
/// at a time; an open BEGIN ... COMMIT holds the write lock across round trips); reads run concurrently.
/// </summary>
/// <remarks>
/// The leader's replica runs statements against its copy of the tenant's SQLite file and replicates the effect of
/// writes through the tenant's Raft group; a routed implementation forwards them to the leader's silo. Gateways
/// depend only on this contract.
/// </remarks>
public interface ISqlTenant
{
    /// <summary>The tenant's name.</summary>
    string Name { get; }

    /// <summary>Opens a session: a connection to this tenant's database with its own transaction state.</summary>
    /// <exception cref="TenantUnavailableException">The database cannot be opened (dropped, its file is unreadable, or this replica does not lead the tenant).</exception>
    ValueTask<ISqlSession> OpenSessionAsync(SqlSessionOptions options, CancellationToken cancellationToken);
}

/// <summary>What a gateway adds to each session: scalar functions of its dialect and a set-up script.</summary>
public sealed record SqlSessionOptions
{
    /// <summary>Scalar functions registered on the session's connection (deterministic or not, reads only).</summary>
    public IReadOnlyList<SqlScalarFunction> Functions { get; init; } = [];

    /// <summary>Statements run once when the session opens, before any client statement; TEMP objects only.</summary>
    public string? SetupSql { get; init; }
}

/// <summary>A scalar function the session's SQL may call: name, argument count (-1 for any) and body.</summary>
/// <remarks>The body runs on the thread that executes the statement and must not block.</remarks>
public sealed record SqlScalarFunction(string Name, int ArgumentCount, Func<ReadOnlySpan<SqlValue>, SqlValue> Body);
