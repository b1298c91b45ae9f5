using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// A statement as the client holds it: its text and shape from the first prepare, and the compiled statement of the
/// session's current backend, made again when the backend changes.
/// </summary>
internal sealed class RoutedSqlStatement : ISqlStatement
{
    private readonly RoutedSqlSession _session;
    private ISqlStatement? _inner;
    private int _generation;

    public RoutedSqlStatement(RoutedSqlSession session, ISqlStatement inner, int generation)
    {
        _session = session;
        _inner = inner;
        _generation = generation;
        Sql = inner.Sql;
        ParameterCount = inner.ParameterCount;
        Columns = inner.Columns;
        CommandVerb = inner.CommandVerb;
        IsReadOnly = inner.IsReadOnly;
    }

    public string Sql { get; }

    public int ParameterCount { get; }

    public IReadOnlyList<SqlColumn> Columns { get; }

    public string CommandVerb { get; }

    public bool IsReadOnly { get; }

    /// <summary>The compiled statement of backend <paramref name="generation"/>, or null when it must be prepared there.</summary>
    public ISqlStatement? InnerFor(int generation) => _generation == generation ? _inner : null;

    public ISqlStatement Attach(ISqlStatement inner, int generation)
    {
        _inner = inner;
        _generation = generation;
        return inner;
    }

    public void Dispose()
    {
        // A lost backend's statements went with it.
        if (_inner is { } inner && _generation == _session.Generation)
        {
            inner.Dispose();
        }
        _inner = null;
    }
}
