namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    private const CommandFlags B = CommandFlags.Blocking;

    static partial void AddBlockingCommands(List<CommandInfo> commands) => commands.AddRange(
    [
        Cmd(CommandId.BLPop, "blpop", -3, W | N | B, 1, -2, 1, "list", "2.0.0",
            "Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
            "O(N) where N is the number of provided keys.", "key [key ...] timeout"),
        Cmd(CommandId.BRPop, "brpop", -3, W | N | B, 1, -2, 1, "list", "2.0.0",
            "Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
            "O(N) where N is the number of provided keys.", "key [key ...] timeout"),
        Cmd(CommandId.BLMove, "blmove", 6, W | M | N | B, 1, 2, 1, "list", "6.2.0",
            "Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.",
            "O(1)", "source destination LEFT|RIGHT LEFT|RIGHT timeout"),
        Cmd(CommandId.BRPopLPush, "brpoplpush", 4, W | M | N | B, 1, 2, 1, "list", "2.2.0",
            "Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.",
            "O(1)", "source destination timeout"),
        Cmd(CommandId.BLMPop, "blmpop", -5, W | B, 0, 0, 0, "list", "7.0.0",
            "Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.",
            "O(N+M) where N is the number of provided keys and M is the number of elements returned.", "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]"),
        Cmd(CommandId.BZPopMin, "bzpopmin", -3, W | N | B | F, 1, -2, 1, "sorted-set", "5.0.0",
            "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
            "O(log(N)) with N being the number of elements in the sorted set.", "key [key ...] timeout"),
        Cmd(CommandId.BZPopMax, "bzpopmax", -3, W | N | B | F, 1, -2, 1, "sorted-set", "5.0.0",
            "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
            "O(log(N)) with N being the number of elements in the sorted set.", "key [key ...] timeout"),
        Cmd(CommandId.BZMPop, "bzmpop", -5, W | B, 0, 0, 0, "sorted-set", "7.0.0",
            "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
            "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
            "timeout numkeys key [key ...] MIN|MAX [COUNT count]"),
    ]);
}
