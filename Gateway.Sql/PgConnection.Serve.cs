using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;

namespace IceFire.Gateway.Sql;

internal sealed partial class PgConnection
{
    /// <summary>After an error in the extended protocol, messages are skipped until Sync (PostgreSQL docs, "Extended Query").</summary>
    private bool _skipUntilSync;

    /// <summary>The single routing table of frontend message types after start-up.</summary>
    private async Task ServeAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var state = TransactionState;
            var message = state == SqlTransactionState.Idle
                ? _idleSessionTimeoutMs > 0 ? await ReadIdleAsync(stopping) : await ReadMessageAsync(startup: false, stopping)
                : IdleInTransactionTimeout() is { } idle ? await ReadInTransactionAsync(idle, stopping) : await ReadMessageAsync(startup: false, stopping);
            if (message is not { } m)
            {
                return;
            }
            var type = (char)m.Type;
            if (_skipUntilSync && type is not ('S' or 'X'))
            {
                continue;
            }
            switch (type)
            {
                case 'Q':
                    await SimpleQueryAsync(new PgMessageReader(m.Body).String(), stopping);
                    await ApplyDeferredAsync();
                    PgMessages.ReadyForQuery(_out, TransactionState);
                    await _out.FlushAsync(_output, stopping);
                    break;
                case 'P':
                    await ParseAsync(m.Body);
                    break;
                case 'B':
                    Bind(m.Body);
                    break;
                case 'D':
                    await DescribeAsync(m.Body, stopping);
                    break;
                case 'E':
                    await ExecuteAsync(m.Body, stopping);
                    break;
                case 'C':
                    await CloseAsync(m.Body);
                    break;
                case 'S':
                    _skipUntilSync = false;
                    if (TransactionState == SqlTransactionState.Idle)
                    {
                        // Portals live until the end of their transaction.
                        await ClosePortalsAsync();
                    }
                    await ApplyDeferredAsync();
                    PgMessages.ReadyForQuery(_out, TransactionState);
                    await _out.FlushAsync(_output, stopping);
                    break;
                case 'H':
                    await _out.FlushAsync(_output, stopping);
                    break;
                case 'X':
                    return;
                case 'F' or 'd' or 'c' or 'f':
                    WriteError(SqlStates.FeatureNotSupported, $"message '{type}' (function call or COPY) is not supported");
                    _skipUntilSync = true;
                    break;
                default:
                    throw new PgProtocolException($"invalid frontend message type '{type}'");
            }
        }
    }

    /// <summary>The session's idle_in_transaction_session_timeout, null when it is off.</summary>
    private TimeSpan? IdleInTransactionTimeout() =>
        long.TryParse(_parameters[IdleTimeoutSetting], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    /// <summary>The next message of a session inside a transaction; past the idle timeout, FATAL 25P03 and no message.</summary>
    private async Task<(byte Type, byte[] Body)?> ReadInTransactionAsync(TimeSpan idle, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(idle);
        try
        {
            return await ReadMessageAsync(startup: false, timeout.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            await SendFatalAsync(SqlStates.IdleInTransactionTimeout, "terminating connection due to idle-in-transaction timeout");
            return null;
        }
    }

    /// <summary>An error inside the extended protocol: reported, then everything up to Sync is skipped.</summary>
    private void FailExtended(SqlError error)
    {
        WriteError(error);
        _session?.Fail();
        _skipUntilSync = true;
    }
}
