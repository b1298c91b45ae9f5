using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP.</summary>
internal static partial class BlockingCommands
{
    /// <summary>BLPOP and BRPOP key [key ...] timeout: the timeout is checked before any key.</summary>
    public static void BPop(ref CommandContext ctx, bool left)
    {
        if (!TryParseTimeout(ref ctx, ctx.ArgCount - 1, out var timeout))
        {
            return;
        }
        for (var i = 1; i < ctx.ArgCount - 1; i++)
        {
            if (ListAccess.TryOpen(ref ctx, ctx.Arg(i), out var list, out var wrongType))
            {
                PopOne(ref ctx, i, ref list, left);
                return;
            }
            if (wrongType)
            {
                return;
            }
        }
        Block(ref ctx, ValueKind.List, 1, ctx.ArgCount - 2, timeout, nullBulk: false);
    }

    private static void ServeBPop(ref CommandContext ctx, int keyIndex, bool left)
    {
        ListAccess.TryOpen(ref ctx, ctx.Arg(keyIndex), out var list, out _);
        PopOne(ref ctx, keyIndex, ref list, left);
    }

    /// <summary>Pops one element and answers [key, element].</summary>
    private static void PopOne(ref CommandContext ctx, int keyIndex, ref OpenList list, bool left)
    {
        var key = ctx.Arg(keyIndex);
        var element = ListAccess.Pop(ref ctx, ref list, left);
        ctx.Changed(left ? KeyEvent.LPop : KeyEvent.RPop, key);
        ListAccess.Save(ref ctx, key, list);
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(key);
        ctx.Reply.WriteBulk(element);
    }

    /// <summary>
    /// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, and BRPOPLPUSH source destination timeout:
    /// the directions, then the timeout, then the source. A destination of the wrong type is found only
    /// when there is an element to move, as in Redis.
    /// </summary>
    public static void BLMove(ref CommandContext ctx, bool fixedRightLeft)
    {
        if (!fixedRightLeft && (!IsSide(ctx.Arg(3)) || !IsSide(ctx.Arg(4))))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        if (!TryParseTimeout(ref ctx, ctx.ArgCount - 1, out var timeout))
        {
            return;
        }
        if (!ListAccess.TryOpen(ref ctx, ctx.Arg(1), out _, out var wrongType))
        {
            if (!wrongType)
            {
                Block(ref ctx, ValueKind.List, 1, 1, timeout, nullBulk: true);
            }
            return;
        }
        ListCommands.LMove(ref ctx, fixedRightLeft);
    }

    private static bool IsSide(ReadOnlySpan<byte> arg) => Args.Is(arg, "LEFT"u8) || Args.Is(arg, "RIGHT"u8);

    /// <summary>BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the timeout is checked last.</summary>
    public static void BLMPop(ref CommandContext ctx)
    {
        if (!TryParseMultiPop(ref ctx, "LEFT"u8, "RIGHT"u8, out var keyCount, out var left, out var count) ||
            !TryParseTimeout(ref ctx, 1, out var timeout))
        {
            return;
        }
        for (var i = 3; i < 3 + keyCount; i++)
        {
            if (ListAccess.TryOpen(ref ctx, ctx.Arg(i), out var list, out var wrongType))
            {
                PopMany(ref ctx, i, ref list, left, count);
                return;
            }
            if (wrongType)
            {
                return;
            }
        }
        Block(ref ctx, ValueKind.List, 3, keyCount, timeout, nullBulk: false);
    }

    private static void ServeBLMPop(ref CommandContext ctx, int keyIndex)
    {
        TryParseMultiPop(ref ctx, "LEFT"u8, "RIGHT"u8, out _, out var left, out var count);
        ListAccess.TryOpen(ref ctx, ctx.Arg(keyIndex), out var list, out _);
        PopMany(ref ctx, keyIndex, ref list, left, count);
    }

    /// <summary>Pops up to <paramref name="count"/> elements and answers [key, [element ...]], as LMPOP does.</summary>
    private static void PopMany(ref CommandContext ctx, int keyIndex, ref OpenList list, bool left, long count)
    {
        var key = ctx.Arg(keyIndex);
        var taken = Math.Min(count, list.Count);
        ctx.Reply.WriteArrayHeader(2);
        ctx.Reply.WriteBulk(key);
        ctx.Reply.WriteArrayHeader((int)taken);
        for (var i = 0; i < taken; i++)
        {
            ctx.Reply.WriteBulk(ListAccess.Pop(ref ctx, ref list, left));
        }
        ctx.Changed(left ? KeyEvent.LPop : KeyEvent.RPop, key);
        ListAccess.Save(ref ctx, key, list);
    }
}
