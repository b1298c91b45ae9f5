using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>LPUSH, RPUSH, the X forms, LPOP, RPOP, LLEN, LINDEX, LSET, LRANGE.</summary>
internal static partial class ListCommands
{
    public static void Push(ref CommandContext ctx, bool left, bool onlyIfExists)
    {
        var key = ctx.Arg(1);
        OpenList list;
        if (onlyIfExists)
        {
            if (!ListAccess.TryOpen(ref ctx, key, out list, out var wrongType))
            {
                if (!wrongType)
                {
                    ctx.Reply.WriteInteger(0);
                }
                return;
            }
        }
        else if (!ListAccess.TryOpenOrCreate(ref ctx, key, out list))
        {
            return;
        }
        for (var i = 2; i < ctx.ArgCount; i++)
        {
            if (left)
            {
                ListAccess.PushLeft(ref ctx, ref list, ctx.Arg(i));
            }
            else
            {
                ListAccess.PushRight(ref ctx, ref list, ctx.Arg(i));
            }
        }
        ListAccess.Save(ref ctx, key, list);
        ctx.Changed(left ? KeyEvent.LPush : KeyEvent.RPush, key);
        ctx.Reply.WriteInteger(list.Count);
    }

    public static void Pop(ref CommandContext ctx, bool left)
    {
        if (ctx.ArgCount > 3)
        {
            Replies.WrongArity(ctx.Reply, ctx.Name);
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
        if (!ListAccess.TryOpen(ref ctx, key, out var list, out var wrongType))
        {
            if (!wrongType)
            {
                if (hasCount)
                {
                    ctx.Reply.WriteNullArray();
                }
                else
                {
                    ctx.Reply.WriteNull();
                }
            }
            return;
        }
        if (hasCount && count == 0)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        var taken = Math.Min(count, list.Count);
        if (hasCount)
        {
            ctx.Reply.WriteArrayHeader((int)taken);
        }
        for (var i = 0; i < taken; i++)
        {
            ctx.Reply.WriteBulk(ListAccess.Pop(ref ctx, ref list, left));
        }
        ctx.Changed(left ? KeyEvent.LPop : KeyEvent.RPop, key);
        ListAccess.Save(ref ctx, key, list);
    }

    public static void LLen(ref CommandContext ctx)
    {
        if (!ListAccess.TryOpen(ref ctx, ctx.Arg(1), out var list, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        ctx.Reply.WriteInteger(list.Count);
    }

    public static void LIndex(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(2), out var index))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (!ListAccess.TryOpen(ref ctx, ctx.Arg(1), out var list, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        if (index < 0)
        {
            index += list.Count;
        }
        if (index < 0 || index >= list.Count || !ListAccess.TryRead(ref ctx, list, list.PositionOf(index), out var element))
        {
            ctx.Reply.WriteNull();
            return;
        }
        ctx.Reply.WriteBulk(element);
    }

    public static void LSet(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!ListAccess.TryOpen(ref ctx, key, out var list, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteRaw(Errors.NoSuchKey);
            }
            return;
        }
        if (!Args.TryParseInt64(ctx.Arg(2), out var index))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (index < 0)
        {
            index += list.Count;
        }
        if (index < 0 || index >= list.Count)
        {
            ctx.Reply.WriteRaw("-ERR index out of range\r\n"u8);
            return;
        }
        ListAccess.Write(ref ctx, list, list.PositionOf(index), ctx.Arg(3));
        ctx.Changed(KeyEvent.LSet, key);
        ctx.Reply.WriteRaw("+OK\r\n"u8);
    }

    public static void LRange(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(2), out var start) || !Args.TryParseInt64(ctx.Arg(3), out var end))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (!ListAccess.TryOpen(ref ctx, ctx.Arg(1), out var list, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteArrayHeader(0);
            }
            return;
        }
        var length = list.Count;
        if (start < 0)
        {
            start += length;
        }
        if (end < 0)
        {
            end += length;
        }
        if (start < 0)
        {
            start = 0;
        }
        if (start > end || start >= length)
        {
            ctx.Reply.WriteArrayHeader(0);
            return;
        }
        if (end >= length)
        {
            end = length - 1;
        }
        ctx.Reply.WriteArrayHeader((int)(end - start + 1));
        // One seek to the start, then a walk: positions are contiguous.
        Span<byte> from = stackalloc byte[8];
        Storage.Keyspace.ListHeader.EncodePosition(list.PositionOf(start), from);
        using var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, list.Header.Id, Collections.PrimarySpace, from, out var more);
        for (var i = start; i <= end && more; i++, more = cursor.Next())
        {
            ctx.Reply.WriteBulk(Storage.Keyspace.RedisKeyspace.MemberPayload(cursor.Key, cursor.Value));
        }
    }
}
