namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    // Arity, flags and key positions as redis-server 7.0 reports them in COMMAND INFO. PFCOUNT is read-only there, yet
    // may cache its estimate in the value: it goes through the log (Logged) so every replica stores the same bytes.
    static partial void AddHyperLogLogCommands(List<CommandInfo> commands) => commands.AddRange(
    [
        Cmd(CommandId.PfAdd, "pfadd", -2, W | M | F, 1, 1, 1, "hyperloglog", "2.8.9", "Adds the specified elements to the specified HyperLogLog.",
            "O(1) to add every element.", "key [element ...]"),
        Cmd(CommandId.PfCount, "pfcount", -2, R | CommandFlags.Logged, 1, -1, 1, "hyperloglog", "2.8.9",
            "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
            "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
            "key [key ...]"),
        Cmd(CommandId.PfMerge, "pfmerge", -2, W | M, 1, -1, 1, "hyperloglog", "2.8.9", "Merge N different HyperLogLogs into a single one.",
            "O(N) to merge N HyperLogLogs, but with high constant times.", "destkey sourcekey [sourcekey ...]"),
        Cmd(CommandId.PfDebug, "pfdebug", 3, W | M | A, 2, 2, 1, "hyperloglog", "2.8.9", "Internal commands for debugging HyperLogLog values",
            "N/A", "subcommand key"),
    ]);
}
