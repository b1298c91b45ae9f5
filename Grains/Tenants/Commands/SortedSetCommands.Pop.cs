using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>What a pop from one key found.</summary>
internal enum PopOutcome
{
    /// <summary>The key is missing: nothing was written.</summary>
    Missing,

    /// <summary>Elements were popped and the reply written.</summary>
    Popped,

    /// <summary>The key holds another type: WRONGTYPE was written.</summary>
    WrongType,
}

/// <summary>
/// ZPOPMIN, ZPOPMAX and ZMPOP, and the pop core they share with the blocking pops: <see cref="TryPopFrom"/>
/// pops from one key, so a blocked client woken by a write to that key can call it too.
/// </summary>
internal static partial class SortedSetCommands
{
    public static void ZMPop(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(1), out var keyCount) || keyCount < 1)
        {
            ctx.Reply.WriteRaw("-ERR numkeys should be greater than 0\r\n"u8);
            return;
        }
        if (keyCount >= ctx.ArgCount - 2)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var whereIndex = 2 + (int)keyCount;
        var where = ctx.Arg(whereIndex);
        var max = Args.Is(where, "MAX"u8);
        if (!max && !Args.Is(where, "MIN"u8))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var count = -1L;
        for (var i = whereIndex + 1; i < ctx.ArgCount; i++)
        {
            if (count == -1 && Args.Is(ctx.Arg(i), "COUNT"u8) && i + 1 < ctx.ArgCount)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out count) || count < 1)
                {
                    ctx.Reply.WriteRaw("-ERR count should be greater than 0\r\n"u8);
                    return;
                }
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        if (count == -1)
        {
            count = 1;
        }
        if (PopFirst(ref ctx, 2, (int)keyCount, max, count) == PopOutcome.Missing)
        {
            ctx.Reply.WriteNullArray();
        }
    }

    /// <summary>
    /// Pops from the first of <paramref name="keyCount"/> keys (from argument <paramref name="firstKeyIndex"/>)
    /// that exists, as Redis' genericZpopCommand does: missing keys are skipped, and the first existing key
    /// that is not a sorted set stops the search with WRONGTYPE. Writes nothing when every key is missing.
    /// </summary>
    internal static PopOutcome PopFirst(ref CommandContext ctx, int firstKeyIndex, int keyCount, bool max, long count)
    {
        for (var k = 0; k < keyCount; k++)
        {
            var outcome = TryPopFrom(ref ctx, ctx.Arg(firstKeyIndex + k), max, count);
            if (outcome != PopOutcome.Missing)
            {
                return outcome;
            }
        }
        return PopOutcome.Missing;
    }

    /// <summary>
    /// Pops up to <paramref name="count"/> of the lowest (or, with <paramref name="max"/>, highest) elements of
    /// the sorted set under <paramref name="key"/> and writes ZMPOP's reply, [key, [[member, score] ...]] in both
    /// protocols. Writes nothing when the key is missing.
    /// </summary>
    internal static PopOutcome TryPopFrom(ref CommandContext ctx, ReadOnlySpan<byte> key, bool max, long count)
    {
        if (!Collections.TryOpen(ref ctx, key, Kind, out var zset, out var wrongType))
        {
            return wrongType ? PopOutcome.WrongType : PopOutcome.Missing;
        }
        var popped = PopElements(ref ctx, key, zset, max, count);
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(key);
        ctx.Reply.WriteArrayHeader(popped.Count);
        foreach (var m in popped)
        {
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteBulk(m.Member);
            ctx.Reply.WriteDouble(m.Score);
        }
        return PopOutcome.Popped;
    }

    /// <summary>
    /// Removes up to <paramref name="count"/> of the lowest (or highest) elements and returns them in pop order;
    /// the key is deleted when the set empties.
    /// </summary>
    private static List<ScoredMember> PopElements(ref CommandContext ctx, ReadOnlySpan<byte> key, in OpenCollection zset, bool max, long count)
    {
        var popped = new List<ScoredMember>();
        if (count <= 0)
        {
            return popped;
        }
        SortedSetAccess.Walk(ref ctx, zset.Id, max, m =>
        {
            popped.Add(m);
            return popped.Count < count;
        });
        foreach (var m in popped)
        {
            SortedSetAccess.Remove(ref ctx, zset.Id, m.Member);
        }
        if (popped.Count > 0)
        {
            ctx.Changed(max ? KeyEvent.ZPopMax : KeyEvent.ZPopMin, key);
            Collections.Save(ref ctx, key, Kind, zset, zset.Count - popped.Count);
        }
        return popped;
    }

    /// <summary>ZPOPMIN and ZPOPMAX.</summary>
    public static void ZPop(ref CommandContext ctx, bool max)
    {
        if (ctx.ArgCount > 3)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var hasCount = ctx.ArgCount == 3;
        var count = 1L;
        if (hasCount && (!Args.TryParseInt64(ctx.Arg(2), out count) || count < 0))
        {
            ctx.Reply.WriteRaw("-ERR value is out of range, must be positive\r\n"u8);
            return;
        }
        var key = ctx.Arg(1);
        if (!Collections.TryOpen(ref ctx, key, Kind, out var zset, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteArrayHeader(0);
            }
            return;
        }
        var popped = PopElements(ref ctx, key, zset, max, count);
        if (!hasCount)
        {
            // One element: a flat [member, score] in both protocols.
            ctx.Reply.WriteArrayHeader(popped.Count * 2);
            foreach (var m in popped)
            {
                ctx.Reply.WriteBulk(m.Member);
                ctx.Reply.WriteDouble(m.Score);
            }
            return;
        }
        WriteMembers(ref ctx, popped, withScores: true);
    }
}
