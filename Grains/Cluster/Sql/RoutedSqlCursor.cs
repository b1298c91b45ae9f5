using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>A cursor of one backend of a <see cref="RoutedSqlSession"/>; once that backend is lost, fetching fails.</summary>
internal sealed class RoutedSqlCursor(RoutedSqlSession session, ISqlCursor inner, int generation) : ISqlCursor
{
    public IReadOnlyList<SqlColumn> Columns => inner.Columns;

    public async ValueTask<SqlFetchResult> FetchAsync(int maxRows, ISqlRowSink sink, CancellationToken cancellationToken)
    {
        if (generation != session.Generation)
        {
            return new SqlFetchResult(false, 0, 0, "", session.LoseDuringFetch(generation, "its session was replaced"));
        }
        SqlFetchResult result;
        try
        {
            result = await inner.FetchAsync(maxRows, sink, cancellationToken).ConfigureAwait(false);
        }
        catch (SqlBackendLostException e)
        {
            return new SqlFetchResult(false, 0, 0, "", session.LoseDuringFetch(generation, e.Message));
        }
        if (result.Error is { SqlState: SqlStates.SerializationFailure or SqlStates.CannotConnectNow } refused)
        {
            return result with { Error = session.LoseDuringFetch(generation, refused.Message) };
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (generation != session.Generation)
        {
            return;
        }
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        catch (SqlBackendLostException)
        {
            // The leader's session is gone, and the cursor with it.
        }
    }
}
