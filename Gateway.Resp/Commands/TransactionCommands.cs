using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>
/// MULTI, EXEC, DISCARD, WATCH, UNWATCH. Commands after MULTI are checked as they arrive (an unknown command or a wrong arity
/// dooms the transaction, as in Redis) and queued with copies of their arguments, up to client-query-buffer-limit
/// bytes in all (Redis has no cap of its own; past it the transaction is doomed and its queue freed); EXEC sends the dataset
/// commands to the tenant as one batch, which the tenant runs in one write transaction, so the transaction is
/// atomic and no other client's write lands in between. WATCH runs on the tenant's writer, which remembers
/// the watched keys' change counters in the connection's <see cref="WatchSet"/>; the tenant checks them at
/// EXEC before running anything.
/// </summary>
internal sealed partial class RespConnection
{
    private TransactionQueue? _transaction;
    private bool _transactionFailed;
    private WatchSet? _watches;
    private readonly ReadOnlyMemory<byte>[] _unwatchArgs = ["UNWATCH"u8.ToArray()];

    private bool IsWatching => _watches is { Keys.Count: > 0 };

    /// <summary>Commands queued since MULTI, -1 outside one (CLIENT LIST multi).</summary>
    public int QueuedCommands => _transaction?.Count ?? -1;

    /// <summary>Bytes the queued commands hold (CLIENT LIST multi-mem).</summary>
    public long QueuedBytes => _transaction?.Bytes ?? 0;

    /// <summary>
    /// WATCH and UNWATCH go to the tenant with the connection's watch set. WATCH inside MULTI is refused;
    /// UNWATCH with nothing watched answers here. False when the command was answered here.
    /// </summary>
    private async ValueTask<bool> PrepareWatchAsync(CommandInfo info)
    {
        if (info.Id == CommandId.Watch && _transaction is not null)
        {
            await FlushBatchAsync();
            _writer.WriteRaw("-ERR WATCH inside MULTI is not allowed\r\n"u8);
            return false;
        }
        if (info.Id == CommandId.Unwatch && !IsWatching && _batch.Watches is null)
        {
            await FlushBatchAsync();
            _writer.WriteRaw("+OK\r\n"u8);
            return false;
        }
        _batch.Watches = _watches ??= new WatchSet();
        return true;
    }

    /// <summary>Drops the connection's watches on the tenant (DISCARD, RESET, a failed EXEC, disconnect) without a reply.</summary>
    private async ValueTask ReleaseWatchesAsync()
    {
        if (!IsWatching)
        {
            return;
        }
        await FlushBatchAsync();
        var position = _writer.Position;
        _batch.Add(CommandTable.Get(CommandId.Unwatch), Db, _unwatchArgs);
        _batch.Watches = _watches;
        await FlushBatchAsync();
        _writer.Rewind(position);
    }

    private static bool IsTransactionControl(CommandId id) =>
        id is CommandId.Exec or CommandId.Discard or CommandId.Multi or CommandId.Watch or CommandId.Quit or CommandId.Reset;

    /// <summary>An error while queuing dooms the transaction (Redis' flagTransaction).</summary>
    private void FlagTransaction()
    {
        if (_transaction is not null)
        {
            _transactionFailed = true;
        }
    }

    private void QueueInTransaction(CommandInfo info)
    {
        if (_transactionFailed)
        {
            // EXEC will only answer EXECABORT: nothing queued after an error is ever run, so it need not be kept.
            _writer.WriteRaw("+QUEUED\r\n"u8);
            return;
        }
        if (!_transaction!.TryAdd(info, _args, _server.Limits.QueryBufferLimit))
        {
            ReportReleased(_transaction.Bytes);
            _transaction = new TransactionQueue();
            _transactionFailed = true;
            _writer.WriteRaw(ErrTransactionTooLarge);
            return;
        }
        _writer.WriteRaw("+QUEUED\r\n"u8);
    }

    private static ReadOnlySpan<byte> ErrTransactionTooLarge =>
        "-ERR queued commands exceed client-query-buffer-limit, transaction discarded\r\n"u8;

    private void Multi()
    {
        if (_transaction is not null)
        {
            _writer.WriteRaw("-ERR MULTI calls can not be nested\r\n"u8);
            return;
        }
        _transaction = new TransactionQueue();
        _transactionFailed = false;
        _writer.WriteRaw("+OK\r\n"u8);
    }

    private async ValueTask DiscardAsync()
    {
        if (_transaction is null)
        {
            _writer.WriteRaw("-ERR DISCARD without MULTI\r\n"u8);
            return;
        }
        ReportReleased(_transaction.Bytes);
        _transaction = null;
        await ReleaseWatchesAsync();
        _writer.WriteRaw("+OK\r\n"u8);
    }

    private async ValueTask ExecAsync()
    {
        if (_transaction is null)
        {
            _writer.WriteRaw("-ERR EXEC without MULTI\r\n"u8);
            return;
        }
        var queued = _transaction;
        _transaction = null;
        if (_transactionFailed)
        {
            await ReleaseWatchesAsync();
            _writer.WriteRaw("-EXECABORT Transaction discarded because of previous errors.\r\n"u8);
            return;
        }
        var checkWatches = IsWatching;
        if (checkWatches)
        {
            // The tenant checks the watched keys on its writer, then writes the array header or a null array.
            _batch.BeginExec(queued.Count, _watches!);
        }
        else
        {
            _writer.WriteArrayHeader(queued.Count);
        }
        // Blocking commands inside EXEC answer at once; every batch of the transaction is marked so.
        _batch.IsTransaction = true;
        var args = new ReadOnlyMemory<byte>[queued.MaxArgs()];
        for (var c = 0; c < queued.Count; c++)
        {
            var info = queued[c];
            var count = queued.CopyArgs(c, args);
            if ((info.Flags & CommandFlags.Connection) != 0)
            {
                // A connection command (PING, SELECT ...) answers from connection state between the dataset
                // commands around it, which then run as separate batches.
                await FlushBatchAsync();
                if (checkWatches && _watches!.Failed)
                {
                    _batch.IsTransaction = false;
                    return;
                }
                checkWatches = false;
                _args.Clear();
                for (var i = 0; i < count; i++)
                {
                    _args.Add(args[i]);
                }
                await ExecuteConnectionCommandAsync(info);
                continue;
            }
            // The batch copies the references; the bytes stay in the queue, alive until EXEC returns.
            _batch.Add(info, Db, args.AsSpan(0, count));
        }
        await FlushBatchAsync();
        _batch.IsTransaction = false;
        ReportReleased(queued.Bytes);
    }
}
