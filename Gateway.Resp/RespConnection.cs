using System.Buffers;
using System.Diagnostics;
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

    // Replies past this size go to the socket before more input is parsed, so a client that does not read its
    // replies stops being read (its socket's buffers fill and TCP holds the client back) instead of filling memory.
    private const int ReplyChunkBytes = 64 * 1024;

    // Input parsed in one turn before the replies go out and the read loop comes round again.
    private const int TurnBytes = 256 * 1024;

    // The reads of a batch start this few and double while replies stay small, so pipelined reads of large values
    // (alone or between writes) do not pile up a batch's worth of them in memory.
    private const int FirstReadBatch = 8;
    private const int LargeReplyBytes = 1024;

    // The largest unfinished request whatever client-query-buffer-limit says: the partial request is one array.
    private const int MaxQueryBytes = int.MaxValue - (16 << 20);

    private static ReadOnlySpan<byte> ErrMaxClients => "-ERR max number of clients reached\r\n"u8;

    private readonly RespServer _server;
    private readonly ConnectionContext _context;
    private readonly ReplyBuffer _replies = new();
    private readonly RespReplyWriter _writer;
    private readonly CommandBatch _batch;
    private readonly ArgumentList _args = new();
    private readonly PartialRequest _partial = new();
    private int _readBatchLimit = FirstReadBatch;
    // Reads in the batch being built: writes interleaved with them must not let their replies pile up past the limit.
    private int _batchReads;
    // Input is left unparsed in the pipe (this turn stopped early); the next read returns at once.
    private bool _inputLeft;
    // The socket is gone: stop, run nothing more.
    private bool _discard;
    // The last read ended the input cleanly: the client shut its sending side (FIN) but still reads its replies.
    private bool _inputEnded;
    // The connection was seen closed with the input not yet ended: one more read tells a FIN from a reset.
    private bool _closeSeen;
    private readonly CancellationToken _socketClosed;
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
        _socketClosed = context.ConnectionClosed;
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
        var input = _context.Transport.Input;
        var output = _context.Transport.Output;
        Id = _server.TryRegister(this);
        if (Id == 0)
        {
            // Redis answers a connection past maxclients with this error and closes it.
            await output.WriteAsync(ErrMaxClients.ToArray());
            await input.CompleteAsync();
            await output.CompleteAsync();
            return;
        }
        _batch.ClientId = Id;
        await using var stopRegistration = stopping.Register(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                _inputEnded = result.IsCompleted;
                var consumed = buffer.GetPosition(await ProcessAsync(buffer));
                // Stopped with input left (replies to send first, or a turn long enough): the next read returns
                // at once with the rest; otherwise it waits for new bytes.
                input.AdvanceTo(consumed, _inputLeft ? consumed : buffer.End);
                if (_discard || !await WriteRepliesAsync(output))
                {
                    break;
                }
                if (_closeAfterReply || result.IsCanceled || (result.IsCompleted && !_inputLeft))
                {
                    break;
                }
                if (_inputLeft)
                {
                    // A long turn gives the socket thread back: other connections' commands wait for it otherwise.
                    await Task.Yield();
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
            ReportReleased(_replies.Capacity + _partial.Release() + (_transaction?.Bytes ?? 0));
            _transaction = null;
            _replies.Dispose();
            _blockingCancellation?.Dispose();
            await input.CompleteAsync();
            await output.CompleteAsync();
        }
    }

    /// <summary>
    /// Parses and runs the complete commands in <paramref name="buffer"/> and moves an unfinished one into the
    /// partial request; returns the bytes consumed. Stops early, with <see cref="_inputLeft"/> set, once the replies
    /// are worth sending (read backpressure: the rest waits until the client takes them) or the turn has been long;
    /// stops with <see cref="_discard"/> set when the socket is gone, dropping what was read but not run.
    /// </summary>
    // Pooled builder: a write that waits for its group commit does not allocate a state machine box.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> ProcessAsync(ReadOnlySequence<byte> buffer)
    {
        long offset = 0;
        _inputLeft = false;
        var limits = _server.Limits.Parser;
        while (!_closeAfterReply && offset < buffer.Length)
        {
            if (_socketClosed.IsCancellationRequested && !_inputEnded)
            {
                // The transport reports a FIN as closed too, but a half-closed client still reads: Redis runs what it
                // sent. A reset fails the next read, a FIN completes it, so end the turn once and let that read tell.
                if (!_closeSeen)
                {
                    _closeSeen = true;
                    _inputLeft = true;
                    break;
                }
                // Redis frees a client whose socket is gone with its unread input: nobody would get the replies.
                _discard = true;
                _batch.Clear();
                _batchReads = 0;
                return offset;
            }
            if (_replies.Length >= ReplyChunkBytes || offset >= TurnBytes)
            {
                _inputLeft = true;
                break;
            }
            ParseStatus status;
            long consumed;
            byte[]? error;
            if (!_partial.InProgress)
            {
                status = RespParser.TryParse(buffer.Slice(offset).First, _args, limits, Authenticated, out var used, out _, out error);
                consumed = used;
                if (status == ParseStatus.Incomplete)
                {
                    // Not whole in this block of input: its bytes move to the partial request, which parses on from
                    // where it stopped as more arrive, so a request costs its length once however it is split.
                    status = _partial.Feed(buffer.Slice(offset), _args, limits, Authenticated, _batch.Count > 0, out consumed, out error);
                }
            }
            else
            {
                status = _partial.Feed(buffer.Slice(offset), _args, limits, Authenticated, _batch.Count > 0, out consumed, out error);
                if (status == ParseStatus.Complete && _partial.CompletedLength > TurnBytes)
                {
                    // A large request may take long to run: off the socket thread, so other connections are served.
                    await Task.Yield();
                }
            }
            offset += consumed;
            if (status == ParseStatus.Incomplete)
            {
                if (_partial.Length > Math.Min(_server.Limits.QueryBufferLimit, MaxQueryBytes))
                {
                    // Redis closes a client whose query buffer passes client-query-buffer-limit, without a reply.
                    _server.CountQueryLimitDisconnection();
                    await FlushBatchAsync();
                    _discard = true;
                    _context.Abort(new ConnectionAbortedException("closing client that reached max query buffer length"));
                }
                break;
            }
            if (status == ParseStatus.Error)
            {
                await FlushBatchAsync();
                _writer.WriteRaw(error);
                _closeAfterReply = true;
                break;
            }
            if (_args.Count > 0)
            {
                await DispatchAsync();
            }
        }
        await FlushBatchAsync();
        if (!_partial.InProgress)
        {
            ReportReleased(_partial.Release());
        }
        return offset;
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
            var metrics = _server.Metrics;
            var family = RespMetrics.FamilyOf(info.Id);
            metrics.Count(family, 1);
            var started = metrics.TimesCommands ? Stopwatch.GetTimestamp() : 0;
            await ExecuteConnectionCommandAsync(info);
            if (started != 0)
            {
                metrics.RecordDuration(family, started, Stopwatch.GetTimestamp());
            }
            return;
        }
        if ((info.Flags & CommandFlags.Blocking) != 0)
        {
            await DispatchBlockingAsync(info);
            return;
        }
        _batch.Add(info, Db, _args.AsSpan());
        if (!info.IsWrite)
        {
            _batchReads++;
        }
        if (_batch.Count >= MaxCommandsPerBatch || _batchReads >= _readBatchLimit)
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
        // Write replies are small: the reply bytes are the reads', which the limit counts.
        var reads = _batchReads;
        _batchReads = 0;
        // Read the clock only while a listener takes duration samples (a /metrics scrape or OTLP is configured).
        var started = _server.Metrics.TimesCommands ? Stopwatch.GetTimestamp() : 0;
        try
        {
            await _tenant.ExecuteAsync(_batch);
            if (reads > 0)
            {
                var perCommand = (_writer.Position - before) / reads;
                _readBatchLimit = perCommand > LargeReplyBytes
                    ? (int)Math.Clamp(ReplyChunkBytes / perCommand, 1, MaxCommandsPerBatch)
                    : Math.Min(MaxCommandsPerBatch, _readBatchLimit * 2);
            }
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
            _server.Metrics.CountBatch(_batch, started);
            _batch.Clear();
        }
    }
}
