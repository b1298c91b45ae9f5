using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// Which elements HRANDFIELD, SRANDMEMBER and SPOP return, by index into the collection's elements: a
/// non-negative count asks for that many distinct elements (all of them when it reaches the size), a
/// negative count for that many draws that may repeat, as Redis defines it.
/// </summary>
internal static class RandomPicks
{
    /// <summary>
    /// HRANDFIELD's and ZRANDMEMBER's arguments after the key: an optional count, then the optional
    /// <paramref name="withFlag"/> (WITHVALUES, WITHSCORES), with Redis' errors. False when an error was written.
    /// </summary>
    public static bool TryParseCount(ref CommandContext ctx, ReadOnlySpan<byte> withFlag, out long count, out bool with)
    {
        count = 1;
        with = false;
        if (ctx.ArgCount < 3)
        {
            return true;
        }
        if (!Args.TryParseInt64(ctx.Arg(2), out count))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return false;
        }
        if (count == long.MinValue)
        {
            ctx.Reply.WriteRaw("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"u8);
            return false;
        }
        if (ctx.ArgCount > 4 || (ctx.ArgCount == 4 && !Args.Is(ctx.Arg(3), withFlag)))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return false;
        }
        with = ctx.ArgCount == 4;
        if (with && (count < -(long.MaxValue / 2) || count > long.MaxValue / 2))
        {
            ctx.Reply.WriteRaw("-ERR value is out of range\r\n"u8);
            return false;
        }
        return true;
    }

    /// <param name="size">Elements in the collection.</param>
    /// <param name="count">The command's count.</param>
    /// <param name="random">The batch's generator: seeded from the batch for writes (SPOP), so every replica pops the same.</param>
    public static int[] Indexes(int size, long count, Random random)
    {
        if (count >= 0)
        {
            var order = new int[size];
            for (var i = 0; i < size; i++)
            {
                order[i] = i;
            }
            random.Shuffle(order);
            return order[..(int)Math.Min(count, size)];
        }
        var draws = new int[(int)Math.Min(-count, int.MaxValue)];
        for (var i = 0; i < draws.Length; i++)
        {
            draws[i] = random.Next(size);
        }
        return draws;
    }
}
