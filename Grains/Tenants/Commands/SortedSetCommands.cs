using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZCARD.</summary>
internal static partial class SortedSetCommands
{
    private const ValueKind Kind = ValueKind.ZSet;

    /// <summary>ZADD, and ZINCRBY as ZADD key INCR increment member (Redis' zaddGenericCommand).</summary>
    public static void ZAdd(ref CommandContext ctx, bool isIncrBy)
    {
        bool nx = false, xx = false, ch = false, incr = isIncrBy, gt = false, lt = false;
        var scoreIndex = 2;
        while (!isIncrBy && scoreIndex < ctx.ArgCount)
        {
            var a = ctx.Arg(scoreIndex);
            if (Args.Is(a, "NX"u8))
            {
                nx = true;
            }
            else if (Args.Is(a, "XX"u8))
            {
                xx = true;
            }
            else if (Args.Is(a, "CH"u8))
            {
                ch = true;
            }
            else if (Args.Is(a, "INCR"u8))
            {
                incr = true;
            }
            else if (Args.Is(a, "GT"u8))
            {
                gt = true;
            }
            else if (Args.Is(a, "LT"u8))
            {
                lt = true;
            }
            else
            {
                break;
            }
            scoreIndex++;
        }
        var elements = ctx.ArgCount - scoreIndex;
        if (elements % 2 != 0 || elements == 0)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        elements /= 2;
        if (nx && xx)
        {
            ctx.Reply.WriteRaw("-ERR XX and NX options at the same time are not compatible\r\n"u8);
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            ctx.Reply.WriteRaw("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"u8);
            return;
        }
        if (incr && elements > 1)
        {
            ctx.Reply.WriteRaw("-ERR INCR option supports a single increment-element pair\r\n"u8);
            return;
        }
        var scores = new double[elements];
        for (var j = 0; j < elements; j++)
        {
            if (!Args.TryParseDouble(ctx.Arg(scoreIndex + j * 2), out scores[j]))
            {
                ctx.Reply.WriteRaw(Errors.NotFloat);
                return;
            }
        }
        var key = ctx.Arg(1);
        var exists = Collections.TryOpen(ref ctx, key, Kind, out var zset, out var wrongType);
        if (wrongType)
        {
            return;
        }
        long added = 0, updated = 0, processed = 0;
        var score = 0.0;
        if (exists || !xx)
        {
            if (!exists)
            {
                zset = new OpenCollection(new CollectionHeader(ctx.Keyspace.AllocateCollectionId(ctx.Writer), 0), 0);
            }
            for (var j = 0; j < elements; j++)
            {
                var member = ctx.Arg(scoreIndex + 1 + j * 2);
                score = scores[j];
                if (SortedSetAccess.TryGetScore(ref ctx, zset.Id, member, out var current))
                {
                    if (nx)
                    {
                        continue;
                    }
                    if (incr)
                    {
                        score = current + score;
                        if (double.IsNaN(score))
                        {
                            ctx.Reply.WriteRaw("-ERR resulting score is not a number (NaN)\r\n"u8);
                            SaveCount(ref ctx, key, zset, zset.Count + added);
                            if (added + updated > 0)
                            {
                                ctx.Changed(incr ? KeyEvent.ZIncr : KeyEvent.ZAdd, key);
                            }
                            return;
                        }
                    }
                    if ((lt && score >= current) || (gt && score <= current))
                    {
                        continue;
                    }
                    processed++;
                    if (score != current)
                    {
                        SortedSetAccess.ReplaceScore(ref ctx, zset.Id, member, exists: true, current, score);
                        updated++;
                    }
                }
                else if (!xx)
                {
                    SortedSetAccess.ReplaceScore(ref ctx, zset.Id, member, exists: false, 0, score);
                    added++;
                    processed++;
                }
            }
            SaveCount(ref ctx, key, zset, zset.Count + added);
            if (added + updated > 0)
            {
                ctx.Changed(incr ? KeyEvent.ZIncr : KeyEvent.ZAdd, key);
            }
        }
        if (incr)
        {
            if (processed > 0)
            {
                ctx.Reply.WriteDouble(score);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
        else
        {
            ctx.Reply.WriteInteger(ch ? added + updated : added);
        }
    }

    private static void SaveCount(ref CommandContext ctx, ReadOnlySpan<byte> key, in OpenCollection zset, long count)
    {
        // The header holds only the count: a ZADD that updated scores leaves it as it is.
        if (count != zset.Count)
        {
            Collections.Save(ref ctx, key, Kind, zset, count);
        }
    }

    public static void ZRem(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!Collections.TryOpen(ref ctx, key, Kind, out var zset, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        var removed = 0;
        for (var i = 2; i < ctx.ArgCount; i++)
        {
            if (SortedSetAccess.Remove(ref ctx, zset.Id, ctx.Arg(i)))
            {
                removed++;
            }
        }
        if (removed > 0)
        {
            ctx.Changed(KeyEvent.ZRem, key);
            Collections.Save(ref ctx, key, Kind, zset, zset.Count - removed);
        }
        ctx.Reply.WriteInteger(removed);
    }

    public static void ZScore(ref CommandContext ctx)
    {
        if (Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var zset, out var wrongType) &&
            SortedSetAccess.TryGetScore(ref ctx, zset.Id, ctx.Arg(2), out var score))
        {
            ctx.Reply.WriteDouble(score);
        }
        else if (!wrongType)
        {
            ctx.Reply.WriteNull();
        }
    }

    public static void ZMScore(ref CommandContext ctx)
    {
        var found = Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var zset, out var wrongType);
        if (wrongType)
        {
            return;
        }
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (var i = 2; i < ctx.ArgCount; i++)
        {
            if (found && SortedSetAccess.TryGetScore(ref ctx, zset.Id, ctx.Arg(i), out var score))
            {
                ctx.Reply.WriteDouble(score);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
    }

    public static void ZCard(ref CommandContext ctx)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var zset, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        ctx.Reply.WriteInteger(zset.Count);
    }
}
