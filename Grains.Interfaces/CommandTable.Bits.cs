namespace IceFire.Grains.Interfaces;

public static partial class CommandTable
{
    private static CommandInfo Bit(CommandId id, string name, int arity, CommandFlags flags, int first, int last, int step,
        string since, string summary, string complexity, string args) =>
        Cmd(id, name, arity, flags, first, last, step, "bitmap", since, summary, complexity, args);

    // Arity, flags and key positions as redis-server 7.0 reports them in COMMAND INFO.
    static partial void AddBitCommands(List<CommandInfo> commands)
    {
        commands.Add(Bit(CommandId.SetBit, "setbit", 4, W | M, 1, 1, 1, "2.2.0",
            "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", "O(1)", "key offset value"));
        commands.Add(Bit(CommandId.GetBit, "getbit", 3, R | F, 1, 1, 1, "2.2.0",
            "Returns a bit value by offset.", "O(1)", "key offset"));
        commands.Add(Bit(CommandId.BitCount, "bitcount", -2, R, 1, 1, 1, "2.6.0",
            "Counts the number of set bits (population counting) in a string.", "O(N)", "key [start end [BYTE|BIT]]"));
        commands.Add(Bit(CommandId.BitPos, "bitpos", -3, R, 1, 1, 1, "2.8.7",
            "Finds the first set (1) or clear (0) bit in a string.", "O(N)", "key bit [start [end [BYTE|BIT]]]"));
        commands.Add(Bit(CommandId.BitOp, "bitop", -4, W | M, 2, -1, 1, "2.6.0",
            "Performs bitwise operations on multiple strings, and stores the result.", "O(N)", "operation destkey key [key ...]"));
        commands.Add(Bit(CommandId.BitField, "bitfield", -2, W | M, 1, 1, 1, "3.2.0",
            "Performs arbitrary bitfield integer operations on strings.", "O(1) for each subcommand specified",
            "key [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY encoding offset increment ...]"));
        commands.Add(Bit(CommandId.BitFieldRo, "bitfield_ro", -2, R | F, 1, 1, 1, "6.0.0",
            "Performs arbitrary read-only bitfield integer operations on strings.", "O(1) for each subcommand specified",
            "key [GET encoding offset [GET encoding offset ...]]"));
    }
}
