using System.Collections.Frozen;

namespace IceFire.Grains.Interfaces;

/// <summary>The one table of commands: name to <see cref="CommandInfo"/>, looked up without allocating.</summary>
public static partial class CommandTable
{
    private static readonly FrozenDictionary<string, CommandInfo> ByName;
    private static readonly FrozenDictionary<string, CommandInfo>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan;
    private static readonly CommandInfo?[] ById;

    static CommandTable()
    {
        var all = Build();
        // Each command family declares its commands in its own file (CommandTable.Bits.cs, ...).
        AddBitCommands(all);
        AddHashCommands(all);
        AddListCommands(all);
        AddSetCommands(all);
        AddSortedSetCommands(all);
        AddPubSubCommands(all);
        AddTransactionCommands(all);
        AddBlockingCommands(all);
        AddHyperLogLogCommands(all);
        ByName = all.ToFrozenDictionary(c => c.Name.ToUpperInvariant(), StringComparer.Ordinal);
        ByNameSpan = ByName.GetAlternateLookup<ReadOnlySpan<char>>();
        ById = new CommandInfo?[ushort.MaxValue + 1];
        foreach (var c in all)
        {
            ById[(int)c.Id] = c;
        }
    }

    static partial void AddBitCommands(List<CommandInfo> commands);

    static partial void AddHashCommands(List<CommandInfo> commands);

    static partial void AddListCommands(List<CommandInfo> commands);

    static partial void AddSetCommands(List<CommandInfo> commands);

    static partial void AddSortedSetCommands(List<CommandInfo> commands);

    static partial void AddPubSubCommands(List<CommandInfo> commands);

    static partial void AddTransactionCommands(List<CommandInfo> commands);

    static partial void AddBlockingCommands(List<CommandInfo> commands);

    static partial void AddHyperLogLogCommands(List<CommandInfo> commands);

    /// <summary>Every command, in no particular order.</summary>
    public static IEnumerable<CommandInfo> All => ByName.Values;

    public static int Count => ByName.Count;

    public static CommandInfo Get(CommandId id) => ById[(int)id] ?? throw new ArgumentOutOfRangeException(nameof(id));

    /// <summary>Finds a command by its name in any letter case; null when unknown.</summary>
    public static CommandInfo? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length is 0 or > 32)
        {
            return null;
        }
        Span<char> upper = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            upper[i] = (char)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b);
        }
        return ByNameSpan.TryGetValue(upper, out var info) ? info : null;
    }

    /// <summary>Finds a subcommand of <paramref name="parent"/> by name in any letter case.</summary>
    public static CommandInfo? FindSubcommand(CommandInfo parent, ReadOnlySpan<byte> name)
    {
        foreach (var sub in parent.Subcommands)
        {
            var subName = sub.Name.AsSpan(sub.Name.IndexOf('|') + 1);
            if (subName.Length != name.Length)
            {
                continue;
            }
            var match = true;
            for (var i = 0; i < name.Length && match; i++)
            {
                match = char.ToLowerInvariant((char)name[i]) == subName[i];
            }
            if (match)
            {
                return sub;
            }
        }
        return null;
    }
}
