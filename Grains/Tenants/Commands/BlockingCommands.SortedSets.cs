using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>BZPOPMIN, BZPOPMAX, BZMPOP.</summary>
internal static partial class BlockingCommands
{
    /// <summary>BZPOPMIN and BZPOPMAX key [key ...] timeout: the timeout is checked before any key.</summary>
    public static void BZPop(ref CommandContext ctx, bool max)
    {
        if (!TryParseTimeout(ref ctx, ctx.ArgCount - 1, out var timeout))
        {
            return;
        }
        for (var i = 1; i < ctx.ArgCount - 1; i++)
        {
            if (Collections.TryOpen(ref ctx, ctx.Arg(i), ValueKind.ZSet, out var zset, out var wrongType))
            {
                PopScoredOne(ref ctx, i, zset, max);
                return;
            }
            if (wrongType)
            {
                return;
            }
        }
        Block(ref ctx, ValueKind.ZSet, 1, ctx.ArgCount - 2, timeout, nullBulk: false);
    }

    private static void ServeBZPop(ref CommandContext ctx, int keyIndex, bool max)
    {
        Collections.TryOpen(ref ctx, ctx.Arg(keyIndex), ValueKind.ZSet, out var zset, out _);
        PopScoredOne(ref ctx, keyIndex, zset, max);
    }

    /// <summary>Pops the lowest (or highest) member and answers [key, member, score].</summary>
    private static void PopScoredOne(ref CommandContext ctx, int keyIndex, in OpenCollection zset, bool max)
    {
        var key = ctx.Arg(keyIndex);
        var popped = PopScored(ref ctx, key, zset, max, 1);
        ctx.Reply.WriteArrayHeader(3);
        ctx.Reply.WriteBulk(key);
        ctx.Reply.WriteBulk(popped[0].Member);
        ctx.Reply.WriteDouble(popped[0].Score);
    }

    /// <summary>BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the timeout is checked last.</summary>
    public static void BZMPop(ref CommandContext ctx)
    {
        if (!TryParseMultiPop(ref ctx, "MIN"u8, "MAX"u8, out var keyCount, out var min, out var count) ||
            !TryParseTimeout(ref ctx, 1, out var timeout))
        {
            return;
        }
        for (var i = 3; i < 3 + keyCount; i++)
        {
            if (Collections.TryOpen(ref ctx, ctx.Arg(i), ValueKind.ZSet, out var zset, out var wrongType))
            {
                PopScoredMany(ref ctx, i, zset, !min, count);
                return;
            }
            if (wrongType)
            {
                return;
            }
        }
        Block(ref ctx, ValueKind.ZSet, 3, keyCount, timeout, nullBulk: false);
    }

    private static void ServeBZMPop(ref CommandContext ctx, int keyIndex)
    {
        TryParseMultiPop(ref ctx, "MIN"u8, "MAX"u8, out _, out var min, out var count);
        Collections.TryOpen(ref ctx, ctx.Arg(keyIndex), ValueKind.ZSet, out var zset, out _);
        PopScoredMany(ref ctx, keyIndex, zset, !min, count);
    }

    /// <summary>Pops up to <paramref name="count"/> members and answers [key, [[member, score] ...]], as ZMPOP does.</summary>
    private static void PopScoredMany(ref CommandContext ctx, int keyIndex, in OpenCollection zset, bool max, long count)
    {
        var key = ctx.Arg(keyIndex);
        var popped = PopScored(ref ctx, key, zset, max, count);
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(key);
        ctx.Reply.WriteArrayHeader(popped.Count);
        foreach (var m in popped)
        {
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteBulk(m.Member);
            ctx.Reply.WriteDouble(m.Score);
        }
    }

    /// <summary>Removes up to <paramref name="count"/> members from the low (or high) end and saves the set.</summary>
    private static List<ScoredMember> PopScored(ref CommandContext ctx, ReadOnlySpan<byte> key, in OpenCollection zset, bool max, long count)
    {
        var popped = new List<ScoredMember>((int)Math.Min(count, Math.Min(zset.Count, 1024)));
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
        }
        Collections.Save(ref ctx, key, ValueKind.ZSet, zset, zset.Count - popped.Count);
        return popped;
    }
}
