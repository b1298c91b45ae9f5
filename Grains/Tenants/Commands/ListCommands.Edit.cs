using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>LTRIM, LINSERT, LREM, LPOS.</summary>
internal static partial class ListCommands
{
    public static void LTrim(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(2), out var start) || !Args.TryParseInt64(ctx.Arg(3), out var end))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        var key = ctx.Arg(1);
        if (!ListAccess.TryOpen(ref ctx, key, out var list, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteRaw("+OK\r\n"u8);
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
        long left, right;
        if (start > end || start >= length)
        {
            left = length;
            right = 0;
        }
        else
        {
            if (end >= length)
            {
                end = length - 1;
            }
            left = start;
            right = length - end - 1;
        }
        for (var i = 0; i < left && list.Count > 0; i++)
        {
            ListAccess.Remove(ref ctx, list, list.Header.Head);
            list.Header = list.Header with { Head = list.Header.Head + 1, Count = list.Header.Count - 1 };
        }
        for (var i = 0; i < right && list.Count > 0; i++)
        {
            ListAccess.Remove(ref ctx, list, list.Header.Tail);
            list.Header = list.Header with { Tail = list.Header.Tail - 1, Count = list.Header.Count - 1 };
        }
        ctx.Changed(KeyEvent.LTrim, key);
        ListAccess.Save(ref ctx, key, list);
        ctx.Reply.WriteRaw("+OK\r\n"u8);
    }

    public static void LInsert(ref CommandContext ctx)
    {
        bool after;
        if (Args.Is(ctx.Arg(2), "AFTER"u8))
        {
            after = true;
        }
        else if (Args.Is(ctx.Arg(2), "BEFORE"u8))
        {
            after = false;
        }
        else
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var key = ctx.Arg(1);
        if (!ListAccess.TryOpen(ref ctx, key, out var list, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        var elements = ListAccess.ReadAll(ref ctx, list);
        var pivot = ctx.Arg(3);
        var at = -1;
        for (var i = 0; i < elements.Count && at < 0; i++)
        {
            if (elements[i].AsSpan().SequenceEqual(pivot))
            {
                at = i;
            }
        }
        if (at < 0)
        {
            ctx.Reply.WriteInteger(-1);
            return;
        }
        elements.Insert(after ? at + 1 : at, ctx.Arg(4).ToArray());
        ListAccess.Rewrite(ref ctx, ref list, elements);
        ListAccess.Save(ref ctx, key, list);
        ctx.Changed(KeyEvent.LInsert, key);
        ctx.Reply.WriteInteger(list.Count);
    }

    public static void LRem(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(2), out var count))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        var key = ctx.Arg(1);
        if (!ListAccess.TryOpen(ref ctx, key, out var list, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        var elements = ListAccess.ReadAll(ref ctx, list);
        var target = ctx.Arg(3).ToArray();
        var removed = 0L;
        var limit = count == 0 ? long.MaxValue : Math.Abs(count);
        if (count >= 0)
        {
            for (var i = 0; i < elements.Count && removed < limit;)
            {
                if (elements[i].AsSpan().SequenceEqual(target))
                {
                    elements.RemoveAt(i);
                    removed++;
                }
                else
                {
                    i++;
                }
            }
        }
        else
        {
            for (var i = elements.Count - 1; i >= 0 && removed < limit; i--)
            {
                if (elements[i].AsSpan().SequenceEqual(target))
                {
                    elements.RemoveAt(i);
                    removed++;
                }
            }
        }
        if (removed > 0)
        {
            ListAccess.Rewrite(ref ctx, ref list, elements);
            ctx.Changed(KeyEvent.LRem, key);
            ListAccess.Save(ref ctx, key, list);
        }
        ctx.Reply.WriteInteger(removed);
    }

    public static void LPos(ref CommandContext ctx)
    {
        var rank = 1L;
        var count = -1L;
        var maxLength = 0L;
        for (var i = 3; i < ctx.ArgCount; i++)
        {
            var a = ctx.Arg(i);
            var hasNext = i + 1 < ctx.ArgCount;
            if (Args.Is(a, "RANK"u8) && hasNext)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out rank))
                {
                    ctx.Reply.WriteRaw(Errors.NotInteger);
                    return;
                }
                if (rank == long.MinValue)
                {
                    ctx.Reply.WriteRaw("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"u8);
                    return;
                }
                if (rank == 0)
                {
                    ctx.Reply.WriteRaw("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"u8);
                    return;
                }
            }
            else if (Args.Is(a, "COUNT"u8) && hasNext)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out count) || count < 0)
                {
                    ctx.Reply.WriteRaw("-ERR COUNT can't be negative\r\n"u8);
                    return;
                }
            }
            else if (Args.Is(a, "MAXLEN"u8) && hasNext)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out maxLength) || maxLength < 0)
                {
                    ctx.Reply.WriteRaw("-ERR MAXLEN can't be negative\r\n"u8);
                    return;
                }
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        if (!ListAccess.TryOpen(ref ctx, ctx.Arg(1), out var list, out var wrongType))
        {
            if (!wrongType)
            {
                if (count != -1)
                {
                    ctx.Reply.WriteArrayHeader(0);
                }
                else
                {
                    ctx.Reply.WriteNull();
                }
            }
            return;
        }
        var elements = ListAccess.ReadAll(ref ctx, list);
        var fromTail = rank < 0;
        var wanted = Math.Abs(rank);
        var target = ctx.Arg(2);
        var matches = new List<long>();
        var seen = 0L;
        for (long step = 0; step < elements.Count && (maxLength == 0 || step < maxLength); step++)
        {
            var index = fromTail ? elements.Count - 1 - step : step;
            if (!elements[(int)index].AsSpan().SequenceEqual(target))
            {
                continue;
            }
            seen++;
            if (seen >= wanted)
            {
                matches.Add(index);
                if (count != -1 && count != 0 && matches.Count >= count)
                {
                    break;
                }
                if (count == -1)
                {
                    break;
                }
            }
        }
        if (count == -1)
        {
            if (matches.Count == 0)
            {
                ctx.Reply.WriteNull();
            }
            else
            {
                ctx.Reply.WriteInteger(matches[0]);
            }
            return;
        }
        ctx.Reply.WriteArrayHeader(matches.Count);
        foreach (var index in matches)
        {
            ctx.Reply.WriteInteger(index);
        }
    }
}
