namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    private static CommandInfo Hash(CommandId id, string name, int arity, CommandFlags flags, string since, string summary, string complexity, string args) =>
        Cmd(id, name, arity, flags, 1, 1, 1, "hash", since, summary, complexity, args);

    static partial void AddHashCommands(List<CommandInfo> commands) => commands.AddRange(
    [
        Hash(CommandId.HSet, "hset", -4, W | M | F, "2.0.0", "Creates or modifies the value of a field in a hash.",
            "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
            "key field value [field value ...]"),
        Hash(CommandId.HMSet, "hmset", -4, W | M | F, "2.0.0", "Sets the values of multiple fields.", "O(N) where N is the number of fields being set.",
            "key field value [field value ...]"),
        Hash(CommandId.HSetNx, "hsetnx", 4, W | M | F, "2.0.0", "Sets the value of a field in a hash only when the field doesn't exist.", "O(1)", "key field value"),
        Hash(CommandId.HGet, "hget", 3, R | F, "2.0.0", "Returns the value of a field in a hash.", "O(1)", "key field"),
        Hash(CommandId.HMGet, "hmget", -3, R | F, "2.0.0", "Returns the values of all fields in a hash.", "O(N) where N is the number of fields being requested.",
            "key field [field ...]"),
        Hash(CommandId.HGetAll, "hgetall", 2, R, "2.0.0", "Returns all fields and values in a hash.", "O(N) where N is the size of the hash.", "key"),
        Hash(CommandId.HDel, "hdel", -3, W | F, "2.0.0", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.",
            "O(N) where N is the number of fields to be removed.", "key field [field ...]"),
        Hash(CommandId.HExists, "hexists", 3, R | F, "2.0.0", "Determines whether a field exists in a hash.", "O(1)", "key field"),
        Hash(CommandId.HLen, "hlen", 2, R | F, "2.0.0", "Returns the number of fields in a hash.", "O(1)", "key"),
        Hash(CommandId.HKeys, "hkeys", 2, R, "2.0.0", "Returns all fields in a hash.", "O(N) where N is the size of the hash.", "key"),
        Hash(CommandId.HVals, "hvals", 2, R, "2.0.0", "Returns all values in a hash.", "O(N) where N is the size of the hash.", "key"),
        Hash(CommandId.HIncrBy, "hincrby", 4, W | M | F, "2.0.0",
            "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "O(1)", "key field increment"),
        Hash(CommandId.HIncrByFloat, "hincrbyfloat", 4, W | M | F, "2.6.0",
            "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "O(1)", "key field increment"),
        Hash(CommandId.HStrLen, "hstrlen", 3, R | F, "3.2.0", "Returns the length of the value of a field.", "O(1)", "key field"),
        Hash(CommandId.HRandField, "hrandfield", -2, R, "6.2.0", "Returns one or more random fields from a hash.",
            "O(N) where N is the number of fields returned", "key [count [WITHVALUES]]"),
        Hash(CommandId.HScan, "hscan", -3, R, "2.8.0", "Iterates over fields and values of a hash.",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
            "key cursor [MATCH pattern] [COUNT count]"),
    ]);
}
