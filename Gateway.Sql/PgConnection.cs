using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using IceFire.Gateway.Sql.Protocol;
using IceFire.Grains.Interfaces.Sql;
using Microsoft.AspNetCore.Connections;

namespace IceFire.Gateway.Sql;

/// <summary>
/// One client connection speaking PostgreSQL's frontend/backend protocol v3: start-up and authentication, then
/// simple and extended queries against the tenant's SQL session.
/// </summary>
internal sealed partial class PgConnection
{
    private readonly SqlServer _server;
    private readonly ConnectionContext _connection;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly PgMessageBuffer _out = new();
    private ISqlSession? _session;
    private string _tenant = "";
    private int _processId;

    public PgConnection(SqlServer server, ConnectionContext connection)
    {
        _server = server;
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
    }

    /// <summary>The secret a CancelRequest must quote to cancel this connection's statement.</summary>
    public int SecretKey { get; private set; }

    public void CancelRunningStatement() => _session?.Cancel();

    public async Task RunAsync(CancellationToken stopping)
    {
        // Fires when the silo stops or the client closes its socket, even while a statement runs: the session then
        // stops the statement rather than run it for nobody.
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(stopping, _connection.ConnectionClosed);
        try
        {
            if (await StartUpAsync(closed.Token))
            {
                await ServeAsync(closed.Token);
            }
            if (stopping.IsCancellationRequested)
            {
                await SendShutdownAsync();
            }
        }
        catch (PgProtocolException e)
        {
            await SendFatalAsync(SqlStates.ProtocolViolation, e.Message);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await SendShutdownAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
        finally
        {
            if (_processId != 0)
            {
                _server.Unregister(_processId);
            }
            await CloseStatementsAsync();
            if (_session is not null)
            {
                await _session.DisposeAsync();
            }
            await _input.CompleteAsync();
            await _output.CompleteAsync();
        }
    }

    private async Task SendFatalAsync(string sqlState, string message)
    {
        try
        {
            PgMessages.Error(_out, "FATAL", sqlState, message);
            await _out.FlushAsync(_output, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or ObjectDisposedException or InvalidOperationException)
        {
            // Nobody is listening any more.
        }
    }

    /// <summary>
    /// Reads one message: with <paramref name="startup"/>, the untyped length-prefixed start-up form; otherwise a
    /// type byte and a length. Returns null when the client closed. A length above the limit is refused before
    /// its body is read or allocated.
    /// </summary>
    private async ValueTask<(byte Type, byte[] Body)?> ReadMessageAsync(bool startup, CancellationToken cancellationToken)
    {
        var header = startup ? 4 : 5;
        var head = new byte[5];
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= header)
            {
                buffer.Slice(0, header).CopyTo(head);
                var type = startup ? (byte)0 : head[0];
                var length = BinaryPrimitives.ReadInt32BigEndian(head[(startup ? 0 : 1)..]);
                if (length < 4)
                {
                    _input.AdvanceTo(buffer.Start);
                    throw new PgProtocolException($"invalid message length {length}");
                }
                if (length - 4 > _server.Options.MaxMessageBytes)
                {
                    _input.AdvanceTo(buffer.Start);
                    throw new PgProtocolException($"message of {length} bytes exceeds the limit of {_server.Options.MaxMessageBytes} bytes");
                }
                var total = (startup ? 0 : 1) + length;
                if (buffer.Length >= total)
                {
                    var body = buffer.Slice(header, length - 4).ToArray();
                    _input.AdvanceTo(buffer.GetPosition(total));
                    return (type, body);
                }
                if (length - 4 > LargeMessageBytes)
                {
                    // The transport stops reading at 1 MiB not taken: a larger message is taken out as it arrives.
                    var large = new byte[length - 4];
                    return await ReadLargeBodyAsync(buffer.Slice(header), large, cancellationToken) ? (type, large) : null;
                }
            }
            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                return null;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private const int LargeMessageBytes = 64 * 1024;

    /// <summary>Fills <paramref name="body"/> from <paramref name="first"/> and the reads after it; false when the client closed first.</summary>
    private async ValueTask<bool> ReadLargeBodyAsync(ReadOnlySequence<byte> first, byte[] body, CancellationToken cancellationToken)
    {
        var filled = (int)first.Length;
        first.CopyTo(body);
        _input.AdvanceTo(first.End);
        while (filled < body.Length)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var take = (int)Math.Min(result.Buffer.Length, body.Length - filled);
            var part = result.Buffer.Slice(0, take);
            part.CopyTo(body.AsSpan(filled));
            filled += take;
            _input.AdvanceTo(part.End);
            if (filled < body.Length && result.IsCompleted)
            {
                return false;
            }
        }
        return true;
    }

    private SqlTransactionState TransactionState => _session?.TransactionState ?? SqlTransactionState.Idle;

    private void WriteError(SqlError error) => PgMessages.Error(_out, "ERROR", error.SqlState, error.Message);

    private void WriteError(string sqlState, string message) => PgMessages.Error(_out, "ERROR", sqlState, message);
}
