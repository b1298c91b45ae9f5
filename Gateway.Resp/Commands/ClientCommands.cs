using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>CLIENT SETNAME GETNAME ID INFO LIST SETINFO HELP.</summary>
internal sealed partial class RespConnection
{
    private void Client(CommandInfo info)
    {
        var sub = ResolveSubcommand(info);
        if (sub is null)
        {
            return;
        }
        switch (sub.Name)
        {
            case "client|setname":
                if (!IsValidClientName(_args[2]))
                {
                    _writer.WriteRaw("-ERR Client names cannot contain spaces, newlines or special characters.\r\n"u8);
                    return;
                }
                ClientName = _args[2].Length == 0 ? null : Encoding.UTF8.GetString(_args[2]);
                _writer.WriteRaw("+OK\r\n"u8);
                break;
            case "client|getname":
                if (ClientName is null)
                {
                    _writer.WriteNull();
                }
                else
                {
                    _writer.WriteBulk(Encoding.UTF8.GetBytes(ClientName));
                }
                break;
            case "client|id":
                _writer.WriteInteger(Id);
                break;
            case "client|info":
                _writer.WriteVerbatim("txt"u8, Encoding.UTF8.GetBytes(DescribeClient(this)));
                break;
            case "client|list":
                ClientList();
                break;
            case "client|setinfo":
                if (System.Text.Ascii.EqualsIgnoreCase(_args[2], "LIB-NAME"u8))
                {
                    LibraryName = Encoding.UTF8.GetString(_args[3]);
                }
                else if (System.Text.Ascii.EqualsIgnoreCase(_args[2], "LIB-VER"u8))
                {
                    LibraryVersion = Encoding.UTF8.GetString(_args[3]);
                }
                else
                {
                    _writer.WriteError(Encoding.UTF8.GetBytes($"ERR Unrecognized option '{Encoding.UTF8.GetString(_args[2])}'"));
                    return;
                }
                _writer.WriteRaw("+OK\r\n"u8);
                break;
            case "client|help":
                WriteHelp("CLIENT",
                    "GETNAME", "    Return the name of the current connection.",
                    "ID", "    Return the ID of the current connection.",
                    "INFO", "    Return information about the current client connection.",
                    "LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID <id> [<id> ...]]", "    Return information about client connections.",
                    "SETINFO <option> <value>", "    Set client meta attr. Options are: LIB-NAME, LIB-VER.",
                    "SETNAME <name>", "    Assign the name <name> to the current connection.",
                    "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.");
                break;
        }
    }

    private void ClientList()
    {
        HashSet<long>? ids = null;
        for (var i = 2; i < _args.Count; i++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(_args[i], "TYPE"u8) && i + 1 < _args.Count)
            {
                var type = _args[++i];
                if (!System.Text.Ascii.EqualsIgnoreCase(type, "normal"u8) && !System.Text.Ascii.EqualsIgnoreCase(type, "master"u8) &&
                    !System.Text.Ascii.EqualsIgnoreCase(type, "replica"u8) && !System.Text.Ascii.EqualsIgnoreCase(type, "pubsub"u8))
                {
                    _writer.WriteError(Encoding.UTF8.GetBytes($"ERR Unknown client type '{Encoding.UTF8.GetString(type)}'"));
                    return;
                }
                if (!System.Text.Ascii.EqualsIgnoreCase(type, "normal"u8))
                {
                    ids = [];
                }
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(_args[i], "ID"u8) && i + 1 < _args.Count)
            {
                ids ??= [];
                for (i++; i < _args.Count; i++)
                {
                    if (!TryParseInt(_args[i], out var id) || id <= 0)
                    {
                        _writer.WriteError("ERR Invalid client ID"u8);
                        return;
                    }
                    ids.Add(id);
                }
            }
            else
            {
                _writer.WriteRaw(Errors.Syntax);
                return;
            }
        }
        var text = new StringBuilder();
        var clients = _server.Clients.Values.OrderBy(c => c.Id);
        foreach (var client in clients)
        {
            // A tenant's clients see only that tenant's connections.
            if ((ids is null || ids.Contains(client.Id)) && client.TenantName == TenantName)
            {
                text.Append(DescribeClient(client));
            }
        }
        _writer.WriteVerbatim("txt"u8, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string DescribeClient(RespConnection c)
    {
        var now = Environment.TickCount64;
        return string.Create(CultureInfo.InvariantCulture,
            $"id={c.Id} addr={c.RemoteEndPoint} laddr={c.LocalEndPoint} fd=-1 name={c.ClientName} age={(now - c.CreatedTicks) / 1000} " +
            $"idle={(now - c.LastCommandTicks) / 1000} flags={ClientFlags(c)} db={c.Db} sub={c.ChannelCount} psub={c.PatternCount} ssub=0 multi={c.QueuedCommands} qbuf={c.QueryBufferLength} qbuf-free=0 argv-mem=0 " +
            $"multi-mem={c.QueuedBytes} rbs=0 rbp=0 obl=0 oll=0 omem={c.PendingOutput} tot-mem=0 events=r cmd={c.LastCommand} user={c.TenantName} redir=-1 " +
            $"resp={(int)c.Protocol} lib-name={c.LibraryName} lib-ver={c.LibraryVersion}\n");
    }

    /// <summary>Finds the subcommand in argument 1 and checks its arity; writes Redis' error and returns null otherwise.</summary>
    private CommandInfo? ResolveSubcommand(CommandInfo container)
    {
        var sub = CommandTable.FindSubcommand(container, _args[1]);
        if (sub is null)
        {
            _writer.WriteError(Encoding.UTF8.GetBytes(
                $"ERR unknown subcommand '{Truncate(_args[1], 128)}'. Try {container.Name.ToUpperInvariant()} HELP."));
            return null;
        }
        if (!sub.AcceptsArgumentCount(_args.Count))
        {
            WrongArity(sub.Name);
            return null;
        }
        return sub;
    }

    private void WriteHelp(string command, params string[] lines)
    {
        _writer.WriteArrayHeader(lines.Length + 3);
        _writer.WriteSimpleString(Encoding.ASCII.GetBytes($"{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
        foreach (var line in lines)
        {
            _writer.WriteSimpleString(Encoding.ASCII.GetBytes(line));
        }
        _writer.WriteSimpleString("HELP"u8);
        _writer.WriteSimpleString("    Prints this help."u8);
    }
}
