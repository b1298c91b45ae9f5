namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    static partial void AddTransactionCommands(List<CommandInfo> commands) => commands.AddRange(
    [
        Cmd(CommandId.Multi, "multi", 1, C | F | N | L, 0, 0, 0, "transactions", "1.2.0", "Starts a transaction.", "O(1)", ""),
        Cmd(CommandId.Exec, "exec", 1, C | N | L, 0, 0, 0, "transactions", "1.2.0", "Executes all commands in a transaction.",
            "Depends on commands in the transaction", ""),
        Cmd(CommandId.Discard, "discard", 1, C | F | N | L, 0, 0, 0, "transactions", "2.0.0", "Discards a transaction.",
            "O(N), when N is the number of queued commands", ""),
        Cmd(CommandId.Watch, "watch", -2, F | N | L, 1, -1, 1, "transactions", "2.2.0",
            "Monitors changes to keys to determine the execution of a transaction.", "O(1) for every key.", "key [key ...]"),
        Cmd(CommandId.Unwatch, "unwatch", 1, F | N | L, 0, 0, 0, "transactions", "2.2.0",
            "Forgets about watched keys of a transaction.", "O(N)", ""),
    ]);
}
