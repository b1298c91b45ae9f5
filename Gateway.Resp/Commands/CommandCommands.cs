using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>COMMAND, COMMAND COUNT, INFO, DOCS, LIST: what clients and redis-cli learn about commands.</summary>
internal sealed partial class RespConnection
{
    private void Command(CommandInfo info)
    {
        if (_args.Count == 1)
        {
            var all = CommandTable.All.ToList();
            _writer.WriteArrayHeader(all.Count);
            foreach (var c in all)
            {
                WriteCommandInfo(c);
            }
            return;
        }
        var sub = ResolveSubcommand(info);
        if (sub is null)
        {
            return;
        }
        switch (sub.Name)
        {
            case "command|count":
                _writer.WriteInteger(CommandTable.Count);
                break;
            case "command|list":
                var names = CommandTable.All.Select(c => c.Name).ToList();
                _writer.WriteArrayHeader(names.Count);
                foreach (var name in names)
                {
                    _writer.WriteBulk(Encoding.ASCII.GetBytes(name));
                }
                break;
            case "command|info":
            {
                var wanted = Requested();
                _writer.WriteArrayHeader(wanted.Count);
                foreach (var c in wanted)
                {
                    if (c is null)
                    {
                        _writer.WriteNullArray();
                    }
                    else
                    {
                        WriteCommandInfo(c);
                    }
                }
                break;
            }
            case "command|docs":
            {
                var wanted = Requested().Where(c => c is not null).Select(c => c!).ToList();
                _writer.WriteMapHeader(wanted.Count);
                foreach (var c in wanted)
                {
                    _writer.WriteBulk(Encoding.ASCII.GetBytes(c.Name));
                    WriteCommandDocs(c);
                }
                break;
            }
            case "command|help":
                WriteHelp("COMMAND",
                    "(no subcommand)", "    Return details about all Redis commands.",
                    "COUNT", "    Return the total number of commands in this Redis server.",
                    "LIST", "    Return a list of all commands in this Redis server.",
                    "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
                    "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.");
                break;
        }
    }

    private List<CommandInfo?> Requested()
    {
        if (_args.Count == 2)
        {
            return CommandTable.All.Select(c => (CommandInfo?)c).ToList();
        }
        var list = new List<CommandInfo?>();
        for (var i = 2; i < _args.Count; i++)
        {
            list.Add(CommandTable.Find(_args[i]));
        }
        return list;
    }

    private void WriteCommandInfo(CommandInfo c)
    {
        _writer.WriteArrayHeader(10);
        _writer.WriteBulk(Encoding.ASCII.GetBytes(c.Name));
        _writer.WriteInteger(c.Arity);
        var flags = FlagNames(c.Flags);
        _writer.WriteSetHeader(flags.Count);
        foreach (var flag in flags)
        {
            _writer.WriteSimpleString(Encoding.ASCII.GetBytes(flag));
        }
        _writer.WriteInteger(c.FirstKey);
        _writer.WriteInteger(c.LastKey);
        _writer.WriteInteger(c.Step);
        var categories = Categories(c);
        _writer.WriteSetHeader(categories.Count);
        foreach (var category in categories)
        {
            _writer.WriteSimpleString(Encoding.ASCII.GetBytes(category));
        }
        _writer.WriteSetHeader(0);
        _writer.WriteArrayHeader(0);
        _writer.WriteArrayHeader(c.Subcommands.Count);
        foreach (var sub in c.Subcommands)
        {
            WriteCommandInfo(sub);
        }
    }

    private void WriteCommandDocs(CommandInfo c)
    {
        var arguments = CommandSynopsis.Parse(c.Arguments);
        var pairs = 4 + (arguments.Count > 0 ? 1 : 0) + (c.Subcommands.Count > 0 ? 1 : 0);
        _writer.WriteMapHeader(pairs);
        _writer.WriteBulk("summary"u8);
        _writer.WriteBulk(Encoding.UTF8.GetBytes(c.Summary));
        _writer.WriteBulk("since"u8);
        _writer.WriteBulk(Encoding.ASCII.GetBytes(c.Since));
        _writer.WriteBulk("group"u8);
        _writer.WriteBulk(Encoding.ASCII.GetBytes(c.Group));
        _writer.WriteBulk("complexity"u8);
        _writer.WriteBulk(Encoding.UTF8.GetBytes(c.Complexity));
        if (arguments.Count > 0)
        {
            _writer.WriteBulk("arguments"u8);
            WriteArguments(arguments);
        }
        if (c.Subcommands.Count > 0)
        {
            _writer.WriteBulk("subcommands"u8);
            _writer.WriteMapHeader(c.Subcommands.Count);
            foreach (var sub in c.Subcommands)
            {
                _writer.WriteBulk(Encoding.ASCII.GetBytes(sub.Name));
                WriteCommandDocs(sub);
            }
        }
    }

    private void WriteArguments(IReadOnlyList<CommandSynopsis.Argument> arguments)
    {
        _writer.WriteArrayHeader(arguments.Count);
        foreach (var a in arguments)
        {
            var flags = new List<string>();
            if (a.Optional)
            {
                flags.Add("optional");
            }
            if (a.Multiple)
            {
                flags.Add("multiple");
            }
            var pairs = 2 + (a.Token is null ? 0 : 1) + (flags.Count > 0 ? 1 : 0) + (a.Children.Count > 0 ? 1 : 0);
            _writer.WriteMapHeader(pairs);
            _writer.WriteBulk("name"u8);
            _writer.WriteBulk(Encoding.ASCII.GetBytes(a.Name));
            _writer.WriteBulk("type"u8);
            _writer.WriteBulk(Encoding.ASCII.GetBytes(a.Type));
            if (a.Token is not null)
            {
                _writer.WriteBulk("token"u8);
                _writer.WriteBulk(Encoding.ASCII.GetBytes(a.Token));
            }
            if (flags.Count > 0)
            {
                _writer.WriteBulk("flags"u8);
                _writer.WriteSetHeader(flags.Count);
                foreach (var flag in flags)
                {
                    _writer.WriteSimpleString(Encoding.ASCII.GetBytes(flag));
                }
            }
            if (a.Children.Count > 0)
            {
                _writer.WriteBulk("arguments"u8);
                WriteArguments(a.Children);
            }
        }
    }

    private static List<string> FlagNames(CommandFlags flags)
    {
        var names = new List<string>();
        void Add(CommandFlags flag, string name)
        {
            if ((flags & flag) != 0)
            {
                names.Add(name);
            }
        }
        Add(CommandFlags.Write, "write");
        Add(CommandFlags.ReadOnly, "readonly");
        Add(CommandFlags.DenyOom, "denyoom");
        Add(CommandFlags.Admin, "admin");
        Add(CommandFlags.PubSub, "pubsub");
        Add(CommandFlags.NoScript, "noscript");
        Add(CommandFlags.Blocking, "blocking");
        Add(CommandFlags.Loading, "loading");
        Add(CommandFlags.Stale, "stale");
        Add(CommandFlags.Fast, "fast");
        Add(CommandFlags.NoAuth, "no_auth");
        Add(CommandFlags.MayReplicate, "may_replicate");
        return names;
    }

    private static List<string> Categories(CommandInfo c)
    {
        var list = new List<string>();
        if (c.Group == "generic")
        {
            list.Add("@keyspace");
        }
        if (c.Group is "string" or "hash" or "list" or "set" or "bitmap" or "hyperloglog")
        {
            list.Add("@" + c.Group);
        }
        else if (c.Group == "sorted-set")
        {
            list.Add("@sortedset");
        }
        if (c.Group == "connection")
        {
            list.Add("@connection");
        }
        if ((c.Flags & CommandFlags.Write) != 0)
        {
            list.Add("@write");
        }
        if ((c.Flags & CommandFlags.ReadOnly) != 0)
        {
            list.Add("@read");
        }
        if ((c.Flags & CommandFlags.Fast) != 0)
        {
            list.Add("@fast");
        }
        else
        {
            list.Add("@slow");
        }
        if ((c.Flags & CommandFlags.Admin) != 0)
        {
            list.Add("@admin");
            list.Add("@dangerous");
        }
        return list;
    }
}
