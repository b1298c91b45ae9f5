namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// Which elements HRANDFIELD, SRANDMEMBER and SPOP return, by index into the collection's elements: a
/// non-negative count asks for that many distinct elements (all of them when it reaches the size), a
/// negative count for that many draws that may repeat, as Redis defines it.
/// </summary>
internal static class RandomPicks
{
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
