namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    private static CommandInfo SetCmd(CommandId id, string name, int arity, CommandFlags flags, int first, int last, int step, string since,
        string summary, string complexity, string args) =>
        Cmd(id, name, arity, flags, first, last, step, "set", since, summary, complexity, args);

    static partial void AddSetCommands(List<CommandInfo> commands) => commands.AddRange(
    [
        SetCmd(CommandId.SAdd, "sadd", -3, W | M | F, 1, 1, 1, "1.0.0", "Adds one or more members to a set. Creates the key if it doesn't exist.",
            "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", "key member [member ...]"),
        SetCmd(CommandId.SRem, "srem", -3, W | F, 1, 1, 1, "1.0.0", "Removes one or more members from a set. Deletes the set if the last member was removed.",
            "O(N) where N is the number of members to be removed.", "key member [member ...]"),
        SetCmd(CommandId.SMembers, "smembers", 2, R, 1, 1, 1, "1.0.0", "Returns all members of a set.", "O(N) where N is the set cardinality.", "key"),
        SetCmd(CommandId.SIsMember, "sismember", 3, R | F, 1, 1, 1, "1.0.0", "Determines whether a member belongs to a set.", "O(1)", "key member"),
        SetCmd(CommandId.SMIsMember, "smismember", -3, R | F, 1, 1, 1, "6.2.0", "Determines whether multiple members belong to a set.",
            "O(N) where N is the number of elements being checked for membership", "key member [member ...]"),
        SetCmd(CommandId.SCard, "scard", 2, R | F, 1, 1, 1, "1.0.0", "Returns the number of members in a set.", "O(1)", "key"),
        SetCmd(CommandId.SPop, "spop", -2, W | F, 1, 1, 1, "1.0.0", "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.",
            "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", "key [count]"),
        SetCmd(CommandId.SRandMember, "srandmember", -2, R, 1, 1, 1, "1.0.0", "Get one or multiple random members from a set",
            "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.", "key [count]"),
        SetCmd(CommandId.SInter, "sinter", -2, R, 1, -1, 1, "1.0.0", "Returns the intersect of multiple sets.",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "key [key ...]"),
        SetCmd(CommandId.SUnion, "sunion", -2, R, 1, -1, 1, "1.0.0", "Returns the union of multiple sets.",
            "O(N) where N is the total number of elements in all given sets.", "key [key ...]"),
        SetCmd(CommandId.SDiff, "sdiff", -2, R, 1, -1, 1, "1.0.0", "Returns the difference of multiple sets.",
            "O(N) where N is the total number of elements in all given sets.", "key [key ...]"),
        SetCmd(CommandId.SInterStore, "sinterstore", -3, W | M, 1, -1, 1, "1.0.0", "Stores the intersect of multiple sets in a key.",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "destination key [key ...]"),
        SetCmd(CommandId.SUnionStore, "sunionstore", -3, W | M, 1, -1, 1, "1.0.0", "Stores the union of multiple sets in a key.",
            "O(N) where N is the total number of elements in all given sets.", "destination key [key ...]"),
        SetCmd(CommandId.SDiffStore, "sdiffstore", -3, W | M, 1, -1, 1, "1.0.0", "Stores the difference of multiple sets in a key.",
            "O(N) where N is the total number of elements in all given sets.", "destination key [key ...]"),
        SetCmd(CommandId.SInterCard, "sintercard", -3, R, 0, 0, 0, "7.0.0", "Returns the number of members of the intersect of multiple sets.",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.", "numkeys key [key ...] [LIMIT limit]"),
        SetCmd(CommandId.SMove, "smove", 4, W | F, 1, 2, 1, "1.0.0", "Moves a member from one set to another.", "O(1)", "source destination member"),
        SetCmd(CommandId.SScan, "sscan", -3, R, 1, 1, 1, "2.8.0", "Iterates over members of a set.",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
            "key cursor [MATCH pattern] [COUNT count]"),
    ]);
}
