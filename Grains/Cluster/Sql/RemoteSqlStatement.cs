using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>A statement prepared in a <see cref="RemoteSqlSession"/>, known there by <see cref="Id"/>.</summary>
internal sealed class RemoteSqlStatement(
    RemoteSqlSession session, ulong id, string sql, int parameterCount, IReadOnlyList<SqlColumn> columns, string commandVerb, bool isReadOnly) : ISqlStatement
{
    private int _disposed;

    public RemoteSqlSession Session => session;

    public ulong Id => id;

    public string Sql => sql;

    public int ParameterCount => parameterCount;

    public IReadOnlyList<SqlColumn> Columns => columns;

    public string CommandVerb => commandVerb;

    public bool IsReadOnly => isReadOnly;

    /// <summary>Closes the statement on the leader in the background; the next call on the session waits for it there.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ = session.CloseStatementAsync(id).AsTask();
        }
    }
}
