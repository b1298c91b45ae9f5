using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;

namespace IceFire.Grains.Cluster.Sql;

/// <summary>
/// Follower reads (<see cref="ISqlSession.FollowerReads"/>): a read outside a transaction runs on this silo's own
/// replica, as of what it has applied, in a reader session of its own; without a local replica it goes to the leader
/// as usual. Statements are prepared on the reader by their text, once each.
/// </summary>
internal sealed partial class RoutedSqlSession
{
    private const int MaxReaderStatements = 256;

    private readonly Dictionary<string, ISqlStatement> _readerStatements = new(StringComparer.Ordinal);
    private ISqlSession? _reader;
    private ISqlTenant? _readerTenant;

    public bool FollowerReads { get; set; }

    /// <summary>Whether <paramref name="st"/> may be answered by this silo's replica now; then where.</summary>
    private LocalSqlTenant? FollowerFor(RoutedSqlStatement st) =>
        FollowerReads && st.IsReadOnly && !_orphaned && TransactionState == SqlTransactionState.Idle
        && st.CommandVerb is not ("BEGIN" or "COMMIT" or "END" or "ROLLBACK" or "SAVEPOINT" or "RELEASE")
        && router.Leaders.LocalReplica(tenant) is LocalSqlTenant replica ? replica : null;

    private async ValueTask<SqlExecuteResult> ExecuteOnFollowerAsync(LocalSqlTenant replica, RoutedSqlStatement st, ReadOnlyMemory<SqlValue> parameters, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(_readerTenant, replica))
        {
            // First use, or the replica's database was replaced (a snapshot restored): start over on the new one.
            await CloseReaderAsync().ConfigureAwait(false);
            _reader = await replica.OpenFollowerReaderAsync(options, cancellationToken).ConfigureAwait(false);
            _readerTenant = replica;
        }
        if (!_readerStatements.TryGetValue(st.Sql, out var statement))
        {
            var prepared = _reader!.Prepare(st.Sql);
            if (prepared.Statement is null)
            {
                return new SqlExecuteResult(null, prepared.Error ?? new SqlError(SqlStates.InternalError, "the statement prepared as empty on this silo's replica"));
            }
            if (_readerStatements.Count >= MaxReaderStatements)
            {
                ClearReaderStatements();
            }
            _readerStatements[st.Sql] = statement = prepared.Statement;
        }
        _reader!.StatementTimeout = _statementTimeout;
        return await _reader.ExecuteAsync(statement, parameters, cancellationToken).ConfigureAwait(false);
    }

    private void ClearReaderStatements()
    {
        foreach (var statement in _readerStatements.Values)
        {
            statement.Dispose();
        }
        _readerStatements.Clear();
    }

    private async ValueTask CloseReaderAsync()
    {
        ClearReaderStatements();
        if (_reader is { } reader)
        {
            _reader = null;
            _readerTenant = null;
            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }
}
