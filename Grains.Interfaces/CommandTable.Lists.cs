namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    private static CommandInfo ListCmd(CommandId id, string name, int arity, CommandFlags flags, int first, int last, int step, string since,
        string summary, string complexity, string args) =>
        Cmd(id, name, arity, flags, first, last, step, "list", since, summary, complexity, args);

    static partial void AddListCommands(List<CommandInfo> commands) => commands.AddRange(
    [
        ListCmd(CommandId.LPush, "lpush", -3, W | M | F, 1, 1, 1, "1.0.0", "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
            "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", "key element [element ...]"),
        ListCmd(CommandId.RPush, "rpush", -3, W | M | F, 1, 1, 1, "1.0.0", "Appends one or more elements to a list. Creates the key if it doesn't exist.",
            "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", "key element [element ...]"),
        ListCmd(CommandId.LPushX, "lpushx", -3, W | M | F, 1, 1, 1, "2.2.0", "Prepends one or more elements to a list only when the list exists.",
            "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", "key element [element ...]"),
        ListCmd(CommandId.RPushX, "rpushx", -3, W | M | F, 1, 1, 1, "2.2.0", "Appends an element to a list only when the list exists.",
            "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.", "key element [element ...]"),
        ListCmd(CommandId.LPop, "lpop", -2, W | F, 1, 1, 1, "1.0.0", "Returns the first elements in a list after removing it. Deletes the list if the last element was popped.",
            "O(N) where N is the number of elements returned", "key [count]"),
        ListCmd(CommandId.RPop, "rpop", -2, W | F, 1, 1, 1, "1.0.0", "Returns and removes the last elements of a list. Deletes the list if the last element was popped.",
            "O(N) where N is the number of elements returned", "key [count]"),
        ListCmd(CommandId.LLen, "llen", 2, R | F, 1, 1, 1, "1.0.0", "Returns the length of a list.", "O(1)", "key"),
        ListCmd(CommandId.LRange, "lrange", 4, R, 1, 1, 1, "1.0.0", "Returns a range of elements from a list.",
            "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
            "key start stop"),
        ListCmd(CommandId.LIndex, "lindex", 3, R, 1, 1, 1, "1.0.0", "Returns an element from a list by its index.", "O(1)", "key index"),
        ListCmd(CommandId.LSet, "lset", 4, W | M, 1, 1, 1, "1.0.0", "Sets the value of an element in a list by its index.", "O(1)", "key index element"),
        ListCmd(CommandId.LInsert, "linsert", 5, W | M, 1, 1, 1, "2.2.0", "Inserts an element before or after another element in a list.",
            "O(N) where N is the number of elements to traverse before seeing the value pivot.", "key BEFORE|AFTER pivot element"),
        ListCmd(CommandId.LRem, "lrem", 4, W, 1, 1, 1, "1.0.0", "Removes elements from a list. Deletes the list if the last element was removed.",
            "O(N+M) where N is the length of the list and M is the number of elements removed.", "key count element"),
        ListCmd(CommandId.LTrim, "ltrim", 4, W, 1, 1, 1, "1.0.0", "Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
            "O(N) where N is the number of elements to be removed by the operation.", "key start stop"),
        ListCmd(CommandId.LPos, "lpos", -3, R, 1, 1, 1, "6.0.6", "Returns the index of matching elements in a list.",
            "O(N) where N is the number of elements in the list, for the average case.", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"),
        ListCmd(CommandId.LMove, "lmove", 5, W | M, 1, 2, 1, "6.2.0", "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.",
            "O(1)", "source destination LEFT|RIGHT LEFT|RIGHT"),
        ListCmd(CommandId.RPopLPush, "rpoplpush", 3, W | M, 1, 2, 1, "1.2.0", "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.",
            "O(1)", "source destination"),
        ListCmd(CommandId.LMPop, "lmpop", -4, W, 0, 0, 0, "7.0.0", "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.",
            "O(N+M) where N is the number of provided keys and M is the number of elements returned.", "numkeys key [key ...] LEFT|RIGHT [COUNT count]"),
    ]);
}
