using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>PING ECHO HELLO QUIT SELECT AUTH RESET: commands answered from the connection's own state.</summary>
internal sealed partial class RespConnection
{
    private const int DatabaseCount = 16;

    private async ValueTask ExecuteConnectionCommandAsync(CommandInfo info)
    {
        switch (info.Id)
        {
            case CommandId.Ping:
                if (!PingInSubscribedMode())
                {
                    Ping();
                }
                break;
            case CommandId.Echo: _writer.WriteBulk(_args[1]); break;
            case CommandId.Hello: await HelloAsync(); break;
            case CommandId.Quit:
                _writer.WriteRaw("+OK\r\n"u8);
                _closeAfterReply = true;
                break;
            case CommandId.Select: Select(); break;
            case CommandId.Auth: await AuthAsync(); break;
            case CommandId.Reset:
                await ResetSubscriptionsAsync();
                if (!_tenantDropped)
                {
                    await ReleaseWatchesAsync();
                }
                await ResetTenantAsync();
                Reset();
                break;
            case CommandId.Client:
                if (IsClientUnblock())
                {
                    await ClientUnblockAsync(info);
                }
                else
                {
                    Client(info);
                }
                break;
            case CommandId.Command: Command(info); break;
            case CommandId.Config: await ConfigAsync(info); break;
            case CommandId.Info: await InfoAsync(); break;
            case CommandId.Time: Time(); break;
            case CommandId.ReadOnly:
                _batch.AllowStaleReads = true;
                _writer.WriteRaw("+OK\r\n"u8);
                break;
            case CommandId.ReadWrite:
                _batch.AllowStaleReads = false;
                _writer.WriteRaw("+OK\r\n"u8);
                break;
            case CommandId.Role: await RoleAsync(); break;
            case CommandId.Multi: Multi(); break;
            case CommandId.Exec: await ExecAsync(); break;
            case CommandId.Discard: await DiscardAsync(); break;
            case CommandId.Subscribe: await SubscribeAsync(patterns: false); break;
            case CommandId.PSubscribe: await SubscribeAsync(patterns: true); break;
            case CommandId.Unsubscribe: await UnsubscribeAsync(patterns: false); break;
            case CommandId.PUnsubscribe: await UnsubscribeAsync(patterns: true); break;
            case CommandId.Publish: await PublishAsync(); break;
            case CommandId.PubSub: PubSub(info); break;
            default:
                _writer.WriteError(Encoding.ASCII.GetBytes($"ERR command '{info.Name}' is not served here"));
                break;
        }
    }

    private void Ping()
    {
        if (_args.Count > 2)
        {
            WrongArity("ping");
        }
        else if (_args.Count == 2)
        {
            _writer.WriteBulk(_args[1]);
        }
        else
        {
            _writer.WriteRaw("+PONG\r\n"u8);
        }
    }

    private void Select()
    {
        if (!TryParseInt(_args[1], out var index))
        {
            _writer.WriteRaw(Errors.NotInteger);
            return;
        }
        if (index is < 0 or >= DatabaseCount)
        {
            _writer.WriteRaw(Errors.DbIndexOutOfRange);
            return;
        }
        Db = (int)index;
        _writer.WriteRaw("+OK\r\n"u8);
    }

    private async ValueTask AuthAsync()
    {
        if (_args.Count > 3)
        {
            _writer.WriteRaw(Errors.Syntax);
            return;
        }
        if (_args.Count == 2 && string.IsNullOrEmpty(_server.Options.RequirePass))
        {
            _writer.WriteRaw(Errors.NoPasswordConfigured);
            return;
        }
        var user = _args.Count == 3 ? _args.Memory(1) : DefaultUser;
        var result = await LogInAsync(user, _args.Memory(_args.Count - 1));
        if (result == LoginResult.LoggedIn)
        {
            _writer.WriteRaw("+OK\r\n"u8);
        }
        else
        {
            WriteLoginFailure(result);
        }
    }

    private static readonly ReadOnlyMemory<byte> DefaultUser = "default"u8.ToArray();

    private async ValueTask HelloAsync()
    {
        var protocol = _writer.Protocol;
        var argIndex = 1;
        if (_args.Count >= 2)
        {
            if (!TryParseInt(_args[1], out var version))
            {
                _writer.WriteRaw("-ERR Protocol version is not an integer or out of range\r\n"u8);
                return;
            }
            if (version is < 2 or > 3)
            {
                _writer.WriteRaw(Errors.NoProto);
                return;
            }
            protocol = (RespProtocol)version;
            argIndex = 2;
        }
        string? newName = null;
        var authAt = -1;
        for (var i = argIndex; i < _args.Count; i++)
        {
            var more = _args.Count - i - 1;
            if (System.Text.Ascii.EqualsIgnoreCase(_args[i], "AUTH"u8) && more >= 2)
            {
                authAt = i + 1;
                i += 2;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(_args[i], "SETNAME"u8) && more >= 1)
            {
                newName = Encoding.UTF8.GetString(_args[i + 1]);
                if (!IsValidClientName(_args[i + 1]))
                {
                    _writer.WriteRaw("-ERR Client names cannot contain spaces, newlines or special characters.\r\n"u8);
                    return;
                }
                i++;
            }
            else
            {
                _writer.WriteError(Encoding.UTF8.GetBytes($"ERR Syntax error in HELLO option '{Encoding.UTF8.GetString(_args[i])}'"));
                return;
            }
        }
        // As Redis' helloCommand: every option is checked before the credentials.
        if (authAt > 0 && await LogInAsync(_args.Memory(authAt), _args.Memory(authAt + 1)) is var result && result != LoginResult.LoggedIn)
        {
            WriteLoginFailure(result);
            return;
        }
        if (!Authenticated)
        {
            _writer.WriteRaw("-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n"u8);
            return;
        }
        if (newName is not null)
        {
            ClientName = newName.Length == 0 ? null : newName;
        }
        _writer.Protocol = protocol;
        _writer.WriteMapHeader(7);
        _writer.WriteBulk("server"u8);
        _writer.WriteBulk("redis"u8);
        _writer.WriteBulk("version"u8);
        _writer.WriteBulk(RedisCompatibleVersion);
        _writer.WriteBulk("proto"u8);
        _writer.WriteInteger((int)protocol);
        _writer.WriteBulk("id"u8);
        _writer.WriteInteger(Id);
        _writer.WriteBulk("mode"u8);
        _writer.WriteBulk("standalone"u8);
        _writer.WriteBulk("role"u8);
        _writer.WriteBulk("master"u8);
        _writer.WriteBulk("modules"u8);
        _writer.WriteArrayHeader(0);
    }

    private void Reset()
    {
        _transaction = null;
        Db = 0;
        ClientName = null;
        _writer.Protocol = RespProtocol.Resp2;
        Authenticated = string.IsNullOrEmpty(_server.Options.RequirePass);
        _writer.WriteRaw("+RESET\r\n"u8);
    }

    /// <summary>The Redis version IceFire answers as, for clients that gate features on it.</summary>
    internal static ReadOnlySpan<byte> RedisCompatibleVersion => "7.0.15"u8;

    internal static bool IsValidClientName(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (b < '!' || b > '~')
            {
                return false;
            }
        }
        return true;
    }

    private void UnknownCommand()
    {
        var text = new StringBuilder("ERR unknown command '");
        text.Append(Truncate(_args[0], 128)).Append("', with args beginning with: ");
        var argsText = new StringBuilder();
        for (var i = 1; i < _args.Count && argsText.Length < 128; i++)
        {
            argsText.Append('\'').Append(Truncate(_args[i], 128 - argsText.Length)).Append("' ");
        }
        text.Append(argsText);
        _writer.WriteError(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private void WrongArity(string name) =>
        _writer.WriteError(Encoding.UTF8.GetBytes($"ERR wrong number of arguments for '{name}' command"));

    private static string Truncate(ReadOnlySpan<byte> bytes, int max) =>
        Encoding.UTF8.GetString(bytes.Length > max ? bytes[..max] : bytes);

    private static bool TryParseInt(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20 || (s.Length > 1 && s[0] == (byte)'0') || s[0] == (byte)'+')
        {
            return false;
        }
        if (s.Length > 1 && s[0] == (byte)'-' && s[1] == (byte)'0')
        {
            return false;
        }
        return System.Buffers.Text.Utf8Parser.TryParse(s, out value, out var consumed) && consumed == s.Length;
    }
}
