using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Net;
using IceFire.Gateway.Resp.Protocol;
using IceFire.Grains.Interfaces;
using Microsoft.AspNetCore.Connections;

namespace IceFire.Gateway.Resp;

/// <summary>
/// One client connection. Reads whatever the socket has, parses every complete command in it, hands the
/// dataset commands to the tenant as one batch (so a pipeline of writes is one group commit), answers
/// connection commands itself, and writes all replies in one flush, in command order.
/// </summary>
internal sealed partial class RespConnection
{
    private const int MaxCommandsPerBatch = 1024;

    private readonly RespServer _server;
    private readonly ConnectionContext _context;
    private readonly ReplyBuffer _replies = new();
    private readonly RespReplyWriter _writer;
    private readonly CommandBatch _batch;
    private readonly ArgumentList _args = new();
    private readonly RespLimits _limits;
    private byte[] _scratch = [];
    private ITenantGrain _tenant;
    private IPubSub _pubSub;
    // Set by the thread that drops the tenant; the read loop answers the next command with an error and closes.
    private volatile bool _tenantDropped;
    private bool _closeAfterReply;

    public RespConnection(RespServer server, ConnectionContext context)
    {
        _server = server;
        _context = context;
        _writer = new RespReplyWriter(_replies);
        _batch = new CommandBatch(_writer);
        _limits = server.Options.Limits;
        _tenant = server.Tenants.Find(ITenantDirectory.DefaultTenant)
            ?? throw new InvalidOperationException("the default tenant is not open");
        _pubSub = server.Tenants.FindPubSub(ITenantDirectory.DefaultTenant)
            ?? throw new InvalidOperationException("the default tenant is not open");
        Authenticated = string.IsNullOrEmpty(server.Options.RequirePass);
        CreatedTicks = Environment.TickCount64;
        LastCommandTicks = CreatedTicks;
    }

    public long Id { get; private set; }

    public string? ClientName { get; private set; }

    public int Db { get; private set; }

    /// <summary>The tenant whose dataset and channels this connection reaches (CLIENT LIST user=).</summary>
    public string TenantName { get; private set; } = ITenantDirectory.DefaultTenant;

    public bool Authenticated { get; private set; }

    public string? LibraryName { get; private set; }

    public string? LibraryVersion { get; private set; }

    public long CreatedTicks { get; }

    public long LastCommandTicks { get; private set; }

    public string LastCommand { get; private set; } = "NULL";

    public EndPoint? RemoteEndPoint => _context.RemoteEndPoint;

    public EndPoint? LocalEndPoint => _context.LocalEndPoint;

    public RespProtocol Protocol => _writer.Protocol;

    public async Task RunAsync(CancellationToken stopping)
    {
        Id = _server.Register(this);
        _batch.ClientId = Id;
        var input = _context.Transport.Input;
        var output = _context.Transport.Output;
        await using var stopRegistration = stopping.Register(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            long minimum = 0;
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                if (buffer.Length < minimum && !result.IsCompleted && !result.IsCanceled)
                {
                    // The frame in progress needs more bytes than have arrived: wait without re-parsing,
                    // so a large value costs one parse, not one per packet.
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                var (consumed, nextMinimum) = await ProcessAsync(buffer);
                minimum = nextMinimum;
                input.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
                if (_subscriber is not null)
                {
                    await WriteRepliesWithPushesAsync(output);
                }
                else if (_replies.Length > 0)
                {
                    await output.WriteAsync(_replies.WrittenMemory);
                    _replies.Clear();
                }
                if (_closeAfterReply || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (ConnectionResetException)
        {
            // The client went away; nothing to answer.
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _server.Unregister(Id);
            await ReleaseWatchesOnCloseAsync();
            if (_subscriber is not null)
            {
                await _subscriber.CloseAsync(_pubSub);
            }
            _replies.Dispose();
            _blockingCancellation?.Dispose();
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    /// <summary>Parses and runs every complete command in <paramref name="buffer"/>; returns bytes consumed and the bytes the next frame needs.</summary>
    // Pooled builder: a write that waits for its group commit does not allocate a state machine box.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(long Consumed, long Minimum)> ProcessAsync(ReadOnlySequence<byte> buffer)
    {
        long offset = 0;
        long minimum = 0;
        var linear = false;
        var linearOffset = 0;
        var linearLength = 0;
        while (!_closeAfterReply && offset < buffer.Length)
        {
            ReadOnlyMemory<byte> window;
            if (linear)
            {
                window = _scratch.AsMemory(linearOffset, linearLength - linearOffset);
            }
            else
            {
                window = buffer.Slice(offset).First;
            }
            var status = RespParser.TryParse(window, _args, _limits, Authenticated, out var consumed, out var needed, out var error);
            if (status == ParseStatus.Incomplete)
            {
                var remaining = buffer.Length - offset;
                if (!linear && remaining > window.Length)
                {
                    // The frame crosses a segment boundary: copy what is left into one block and parse there.
                    // Arguments may point into the block until the batch has run, which happens before the
                    // next read reuses it.
                    if (_scratch.Length < remaining)
                    {
                        _scratch = new byte[Math.Max(remaining, Math.Min(_scratch.Length * 2L, int.MaxValue))];
                    }
                    buffer.Slice(offset).CopyTo(_scratch);
                    linear = true;
                    linearOffset = 0;
                    linearLength = (int)remaining;
                    continue;
                }
                minimum = needed;
                break;
            }
            if (status == ParseStatus.Error)
            {
                await FlushBatchAsync();
                _writer.WriteRaw(error);
                _closeAfterReply = true;
                break;
            }
            offset += consumed;
            if (linear)
            {
                linearOffset += consumed;
            }
            if (_args.Count > 0)
            {
                await DispatchAsync();
            }
        }
        await FlushBatchAsync();
        return (offset, minimum);
    }

    /// <summary>A closing connection's watches must not outlive it; a tenant that is gone has none to drop.</summary>
    private async ValueTask ReleaseWatchesOnCloseAsync()
    {
        try
        {
            _closeAfterReply = true;
            await ReleaseWatchesAsync();
        }
        catch (Exception)
        {
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DispatchAsync()
    {
        LastCommandTicks = Environment.TickCount64;
        if (_tenantDropped)
        {
            await FlushBatchAsync();
            if (!_closeAfterReply)
            {
                WriteTenantDropped();
                _closeAfterReply = true;
            }
            return;
        }
        var info = CommandTable.Find(_args[0]);
        if (info is null)
        {
            await FlushBatchAsync();
            UnknownCommand();
            FlagTransaction();
            return;
        }
        if (!info.AcceptsArgumentCount(_args.Count))
        {
            await FlushBatchAsync();
            WrongArity(info.Name);
            FlagTransaction();
            return;
        }
        if (!Authenticated && (info.Flags & CommandFlags.NoAuth) == 0)
        {
            await FlushBatchAsync();
            _writer.WriteRaw(Errors.NoAuth);
            FlagTransaction();
            return;
        }
        if (_transaction is not null && !IsTransactionControl(info.Id))
        {
            QueueInTransaction(info);
            return;
        }
        if (info.Id is CommandId.Watch or CommandId.Unwatch && !await PrepareWatchAsync(info))
        {
            return;
        }
        // No dataset command waits in the batch here: subscribing flushed it and none is accepted since.
        if (_subscriber is not null && RejectInSubscribedMode(info))
        {
            return;
        }
        if ((info.Flags & CommandFlags.Connection) != 0)
        {
            await FlushBatchAsync();
            LastCommand = info.Name;
            _server.CountCommands(1);
            await ExecuteConnectionCommandAsync(info);
            return;
        }
        if ((info.Flags & CommandFlags.Blocking) != 0)
        {
            await DispatchBlockingAsync(info);
            return;
        }
        _batch.Add(info, Db, _args.AsSpan());
        if (_batch.Count >= MaxCommandsPerBatch)
        {
            await FlushBatchAsync();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushBatchAsync()
    {
        if (_batch.Count == 0 && _batch.ExecCount < 0)
        {
            return;
        }
        _server.CountCommands(_batch.Count);
        if (_batch.Count > 0)
        {
            LastCommand = CommandTable.Get(_batch[_batch.Count - 1].Id).Name;
        }
        var before = _writer.Position;
        try
        {
            await _tenant.ExecuteAsync(_batch);
        }
        catch (TenantUnavailableException unavailable) when (_batch.ExecCount < 0 && !_batch.IsTransaction && _writer.Position == before)
        {
            // Nothing ran (no leader, or its silo unreachable): every command gets the error, as a Redis Cluster node
            // answers CLUSTERDOWN, and the connection stays usable for when the group recovers.
            var reply = System.Text.Encoding.UTF8.GetBytes(unavailable.Reply);
            for (var i = 0; i < _batch.Count; i++)
            {
                _writer.WriteError(reply);
            }
        }
        catch (Exception error)
        {
            // The dataset could not be reached; say so and close, as the replies may be partial.
            if (_tenantDropped || !ReferenceEquals(_server.Tenants.Find(TenantName), _tenant))
            {
                WriteTenantDropped();
            }
            else
            {
                _writer.WriteError(System.Text.Encoding.UTF8.GetBytes(error is TenantUnavailableException u ? u.Reply : "ERR " + error.Message));
            }
            _closeAfterReply = true;
        }
        finally
        {
            _batch.Clear();
        }
    }
}
