using IceFire.Grains.Interfaces.Sql;
using IceFire.Grains.Sql;

namespace IceFire.Grains.Cluster.Sql;

internal sealed partial class RoutedSqlSession
{
    public async ValueTask<SqlExecuteResult> ExecuteAsync(ISqlStatement statement, ReadOnlyMemory<SqlValue> parameters, CancellationToken cancellationToken)
    {
        var st = (RoutedSqlStatement)statement;
        if (_orphaned)
        {
            return EndLostTransaction(st);
        }
        if (FollowerFor(st) is { } replica)
        {
            return await ExecuteOnFollowerAsync(replica, st, parameters, cancellationToken).ConfigureAwait(false);
        }
        var started = Environment.TickCount64;
        while (true)
        {
            var (backend, error) = await BackendAsync(started, cancellationToken).ConfigureAwait(false);
            if (backend is null)
            {
                return new SqlExecuteResult(null, error);
            }
            var before = backend.TransactionState;
            var sent = false;
            string reason;
            try
            {
                if (st.InnerFor(_generation) is not { } inner)
                {
                    // Prepared on a lost backend: prepare it again here (the schema may have moved on meanwhile).
                    var prepared = await PrepareOnAsync(backend, st.Sql, cancellationToken).ConfigureAwait(false);
                    if (prepared.Error is { } failure && IsLeadershipError(failure))
                    {
                        throw new SqlBackendLostException(false, failure.Message);
                    }
                    if (prepared.Statement is not { } fresh)
                    {
                        return new SqlExecuteResult(null, prepared.Error ?? new SqlError(SqlStates.InternalError, "the statement prepared as empty on the new leader"));
                    }
                    inner = st.Attach(fresh, _generation);
                }
                sent = true;
                var result = await backend.ExecuteAsync(inner, parameters, cancellationToken).ConfigureAwait(false);
                if (result.Error is { } refused && IsLeadershipError(refused))
                {
                    // The leader's session refused it (leadership moved): nothing of it applied.
                    sent = false;
                    reason = refused.Message;
                }
                else
                {
                    return result.Cursor is { } cursor ? new SqlExecuteResult(new RoutedSqlCursor(this, cursor, _generation), null) : result;
                }
            }
            catch (SqlBackendLostException e)
            {
                sent &= e.Sent;
                reason = e.Message;
            }
            DropBackend();
            if (before != SqlTransactionState.Idle)
            {
                return LostInTransaction(st, before, sent, reason);
            }
            if (sent && !st.IsReadOnly)
            {
                return new SqlExecuteResult(null, new SqlError(SqlStates.TransactionResolutionUnknown,
                    $"the leader of tenant {tenant} was lost before the statement was confirmed; it may or may not have been applied ({reason})"));
            }
            if (Expired(started))
            {
                return new SqlExecuteResult(null, NoLeader(reason, started));
            }
        }
    }

    private static bool IsPlainEnd(RoutedSqlStatement st) =>
        st.CommandVerb is "COMMIT" or "ROLLBACK" && !st.Sql.Contains(" TO ", StringComparison.OrdinalIgnoreCase);

    /// <summary>A statement of a transaction whose backend is gone: only its end is accepted, as a rollback.</summary>
    private SqlExecuteResult EndLostTransaction(RoutedSqlStatement st)
    {
        if (!IsPlainEnd(st))
        {
            return new SqlExecuteResult(null, SqlError.InFailedTransaction);
        }
        _orphaned = false;
        return new SqlExecuteResult(LocalSqlCursor.Completed([], 0, 0, "ROLLBACK"), null);
    }

    /// <summary>The backend was lost while <paramref name="st"/> ran inside a transaction.</summary>
    private SqlExecuteResult LostInTransaction(RoutedSqlStatement st, SqlTransactionState before, bool sent, string reason)
    {
        if (IsPlainEnd(st) && (st.CommandVerb == "ROLLBACK" || before == SqlTransactionState.Failed))
        {
            return new SqlExecuteResult(LocalSqlCursor.Completed([], 0, 0, "ROLLBACK"), null);
        }
        if (IsPlainEnd(st))
        {
            // COMMIT ends the transaction either way; only whether it committed may be unknown.
            return new SqlExecuteResult(null, sent
                ? new SqlError(SqlStates.TransactionResolutionUnknown,
                    $"the leader of tenant {tenant} was lost after COMMIT was sent; the transaction may or may not have committed ({reason})")
                : TransactionLost(reason));
        }
        _orphaned = true;
        return new SqlExecuteResult(null, TransactionLost(reason));
    }

    /// <summary>A cursor's backend was lost while it was read: 40001 inside a transaction (now failed), else 57P03.</summary>
    internal SqlError LoseDuringFetch(int generation, string reason)
    {
        if (generation == _generation && _backend is { } backend)
        {
            var before = backend.TransactionState;
            if (Lose(before, reason) is { } lost)
            {
                return lost;
            }
        }
        else if (_orphaned)
        {
            return TransactionLost(reason);
        }
        return new SqlError(SqlStates.CannotConnectNow, $"the leader of tenant {tenant} was lost while the rows were read ({reason})");
    }
}
