using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>LMOVE, RPOPLPUSH, LMPOP.</summary>
internal static partial class ListCommands
{
    /// <summary>LMOVE (directions from arguments 3 and 4) and RPOPLPUSH (RIGHT then LEFT).</summary>
    public static void LMove(ref CommandContext ctx, bool fixedRightLeft)
    {
        bool fromLeft, toLeft;
        if (fixedRightLeft)
        {
            fromLeft = false;
            toLeft = true;
        }
        else if (!TryParseSide(ctx.Arg(3), out fromLeft) || !TryParseSide(ctx.Arg(4), out toLeft))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var source = ctx.Arg(1);
        var destination = ctx.Arg(2);
        if (!ListAccess.TryOpen(ref ctx, source, out var from, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        if (ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, destination, ctx.NowMs, out var existing) &&
            existing.Kind != Storage.Keyspace.ValueKind.List)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        var element = ListAccess.Pop(ref ctx, ref from, fromLeft);
        // A rotation of one list pushes onto the popped header, so a one-element list is never deleted and
        // created again; two lists are saved destination first, in the order of Redis' events.
        var sameList = source.SequenceEqual(destination);
        OpenList to;
        if (sameList)
        {
            to = from;
        }
        else
        {
            ListAccess.TryOpenOrCreate(ref ctx, destination, out to);
        }
        if (toLeft)
        {
            ListAccess.PushLeft(ref ctx, ref to, element);
        }
        else
        {
            ListAccess.PushRight(ref ctx, ref to, element);
        }
        ListAccess.Save(ref ctx, destination, to);
        ctx.Changed(toLeft ? KeyEvent.LPush : KeyEvent.RPush, destination);
        ctx.Changed(fromLeft ? KeyEvent.LPop : KeyEvent.RPop, source);
        if (!sameList)
        {
            ListAccess.Save(ref ctx, source, from);
        }
        ctx.Reply.WriteBulk(element);
    }

    public static void LMPop(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(1), out var keyCount) || keyCount < 1)
        {
            ctx.Reply.WriteRaw("-ERR numkeys should be greater than 0\r\n"u8);
            return;
        }
        var sideIndex = 2 + keyCount;
        if (sideIndex >= ctx.ArgCount)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        if (!TryParseSide(ctx.Arg((int)sideIndex), out var left))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var count = -1L;
        for (var i = (int)sideIndex + 1; i < ctx.ArgCount; i++)
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
        for (var k = 0; k < keyCount; k++)
        {
            var key = ctx.Arg(2 + k);
            if (!ListAccess.TryOpen(ref ctx, key, out var list, out var wrongType))
            {
                if (wrongType)
                {
                    return;
                }
                continue;
            }
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
            return;
        }
        ctx.Reply.WriteNullArray();
    }

    private static bool TryParseSide(ReadOnlySpan<byte> arg, out bool left)
    {
        left = Args.Is(arg, "LEFT"u8);
        return left || Args.Is(arg, "RIGHT"u8);
    }
}
