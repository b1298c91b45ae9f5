using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>
/// MULTI, EXEC, DISCARD. Commands after MULTI are checked as they arrive (an unknown command or a wrong arity
/// dooms the transaction, as in Redis) and queued with copies of their arguments; EXEC sends the dataset
/// commands to the tenant as one batch, which the tenant runs in one write transaction, so the transaction is
/// atomic and no other client's write lands in between.
/// </summary>
internal sealed partial class RespConnection
{
    private List<(CommandInfo Info, byte[][] Args)>? _transaction;
    private bool _transactionFailed;

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
        var args = new byte[_args.Count][];
        for (var i = 0; i < _args.Count; i++)
        {
            args[i] = _args[i].ToArray();
        }
        _transaction!.Add((info, args));
        _writer.WriteRaw("+QUEUED\r\n"u8);
    }

    private void Multi()
    {
        if (_transaction is not null)
        {
            _writer.WriteRaw("-ERR MULTI calls can not be nested\r\n"u8);
            return;
        }
        _transaction = [];
        _transactionFailed = false;
        _writer.WriteRaw("+OK\r\n"u8);
    }

    private void Discard()
    {
        if (_transaction is null)
        {
            _writer.WriteRaw("-ERR DISCARD without MULTI\r\n"u8);
            return;
        }
        _transaction = null;
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
            _writer.WriteRaw("-EXECABORT Transaction discarded because of previous errors.\r\n"u8);
            return;
        }
        _writer.WriteArrayHeader(queued.Count);
        // Blocking commands inside EXEC answer at once; every batch of the transaction is marked so.
        _batch.IsTransaction = true;
        foreach (var (info, args) in queued)
        {
            if ((info.Flags & CommandFlags.Connection) != 0)
            {
                // A connection command (PING, SELECT ...) answers from connection state between the dataset
                // commands around it, which then run as separate batches.
                await FlushBatchAsync();
                _args.Clear();
                foreach (var a in args)
                {
                    _args.Add(a);
                }
                await ExecuteConnectionCommandAsync(info);
                continue;
            }
            var memory = new ReadOnlyMemory<byte>[args.Length];
            for (var i = 0; i < args.Length; i++)
            {
                memory[i] = args[i];
            }
            _batch.Add(info, Db, memory);
        }
        await FlushBatchAsync();
        _batch.IsTransaction = false;
    }
}
