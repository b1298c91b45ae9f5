using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>The ZRANGE family, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK and ZREMRANGEBY*.</summary>
internal static partial class SortedSetCommands
{
    /// <summary>
    /// ZRANGE, ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZREVRANGE
    /// (Redis' zrangeGenericCommand): <paramref name="fixedKind"/> and <paramref name="fixedReverse"/> are
    /// null when the options decide.
    /// </summary>
    public static void ZRange(ref CommandContext ctx, bool store, RangeKind? fixedKind, bool? fixedReverse)
    {
        var first = store ? 2 : 1;
        var request = new RangeRequest { Kind = fixedKind ?? RangeKind.Rank, Reverse = fixedReverse ?? false, Limit = -1 };
        var kindChosen = fixedKind.HasValue;
        var reverseChosen = fixedReverse.HasValue;
        var limitGiven = false;
        for (var j = first + 3; j < ctx.ArgCount; j++)
        {
            var a = ctx.Arg(j);
            var left = ctx.ArgCount - j - 1;
            if (!store && Args.Is(a, "WITHSCORES"u8))
            {
                request.WithScores = true;
            }
            else if (Args.Is(a, "LIMIT"u8) && left >= 2)
            {
                if (!Args.TryParseInt64(ctx.Arg(j + 1), out request.Offset) || !Args.TryParseInt64(ctx.Arg(j + 2), out request.Limit))
                {
                    ctx.Reply.WriteRaw(Errors.NotInteger);
                    return;
                }
                limitGiven = true;
                j += 2;
            }
            else if (!reverseChosen && Args.Is(a, "REV"u8))
            {
                request.Reverse = true;
                reverseChosen = true;
            }
            else if (!kindChosen && Args.Is(a, "BYLEX"u8))
            {
                request.Kind = RangeKind.Lex;
                kindChosen = true;
            }
            else if (!kindChosen && Args.Is(a, "BYSCORE"u8))
            {
                request.Kind = RangeKind.Score;
                kindChosen = true;
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        if (limitGiven && request.Kind == RangeKind.Rank)
        {
            ctx.Reply.WriteRaw("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"u8);
            return;
        }
        if (request.WithScores && request.Kind == RangeKind.Lex)
        {
            ctx.Reply.WriteRaw("-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"u8);
            return;
        }
        if (!request.TryParseBounds(ref ctx, ctx.Arg(first + 1), ctx.Arg(first + 2)))
        {
            return;
        }
        var found = Collections.TryOpen(ref ctx, ctx.Arg(first), Kind, out var zset, out var wrongType);
        if (wrongType)
        {
            return;
        }
        var result = found && request.Offset >= 0 ? request.Collect(ref ctx, zset) : [];
        if (store)
        {
            Store(ref ctx, ctx.Arg(1), result, KeyEvent.ZRangeStore);
            ctx.Reply.WriteInteger(result.Count);
            return;
        }
        WriteMembers(ref ctx, result, request.WithScores);
    }

    /// <summary>Replaces <paramref name="destination"/> with a sorted set of <paramref name="members"/> (deleting it when empty).</summary>
    private static void Store(ref CommandContext ctx, ReadOnlySpan<byte> destination, List<ScoredMember> members, KeyEvent e)
    {
        var replaced = ctx.Keyspace.Delete(ctx.Writer, ctx.Db, destination, ctx.NowMs);
        if (members.Count == 0)
        {
            if (replaced)
            {
                ctx.Changed(KeyEvent.Del, destination);
            }
            return;
        }
        var zset = new OpenCollection(new Storage.Keyspace.CollectionHeader(ctx.Keyspace.AllocateCollectionId(ctx.Writer), 0), 0);
        var count = 0L;
        foreach (var m in members)
        {
            if (SortedSetAccess.SetScore(ref ctx, zset.Id, m.Member, m.Score))
            {
                count++;
            }
        }
        Collections.Save(ref ctx, destination, Kind, zset, count);
        ctx.Changed(e, destination);
    }

    /// <summary>Members, with scores as Redis 7 replies them: flat in RESP2, [member, score] pairs in RESP3.</summary>
    private static void WriteMembers(ref CommandContext ctx, List<ScoredMember> members, bool withScores)
    {
        var nested = withScores && ctx.Reply.Protocol == RespProtocol.Resp3;
        ctx.Reply.WriteArrayHeader(withScores && !nested ? members.Count * 2 : members.Count);
        foreach (var m in members)
        {
            if (nested)
            {
                ctx.Reply.WriteArrayHeader(2);
            }
            ctx.Reply.WriteBulk(m.Member);
            if (withScores)
            {
                ctx.Reply.WriteDouble(m.Score);
            }
        }
    }

    /// <summary>ZCOUNT (score bounds) and ZLEXCOUNT (lex bounds).</summary>
    public static void ZCount(ref CommandContext ctx, RangeKind kind)
    {
        var request = new RangeRequest { Kind = kind, Limit = -1 };
        if (!request.TryParseBounds(ref ctx, ctx.Arg(2), ctx.Arg(3)))
        {
            return;
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var zset, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        ctx.Reply.WriteInteger(request.Collect(ref ctx, zset).Count);
    }

    /// <summary>ZRANK and ZREVRANK, with the optional WITHSCORE.</summary>
    public static void ZRank(ref CommandContext ctx, bool reverse)
    {
        var withScore = false;
        if (ctx.ArgCount > 4 || (ctx.ArgCount == 4 && !Args.Is(ctx.Arg(3), "WITHSCORE"u8)))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        withScore = ctx.ArgCount == 4;
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var zset, out var wrongType))
        {
            if (!wrongType)
            {
                if (withScore)
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
        var member = ctx.Arg(2).ToArray();
        if (!SortedSetAccess.TryGetScore(ref ctx, zset.Id, member, out var score))
        {
            if (withScore)
            {
                ctx.Reply.WriteNullArray();
            }
            else
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        var rank = 0L;
        SortedSetAccess.Walk(ref ctx, zset.Id, reverse, m =>
        {
            if (m.Member.AsSpan().SequenceEqual(member))
            {
                return false;
            }
            rank++;
            return true;
        });
        if (withScore)
        {
            ctx.Reply.WriteArrayHeader(2);
            ctx.Reply.WriteInteger(rank);
            ctx.Reply.WriteDouble(score);
        }
        else
        {
            ctx.Reply.WriteInteger(rank);
        }
    }

    /// <summary>ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX.</summary>
    public static void ZRemRange(ref CommandContext ctx, RangeKind kind)
    {
        var request = new RangeRequest { Kind = kind, Limit = -1 };
        if (!request.TryParseBounds(ref ctx, ctx.Arg(2), ctx.Arg(3)))
        {
            return;
        }
        var key = ctx.Arg(1);
        if (!Collections.TryOpen(ref ctx, key, Kind, out var zset, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        var doomed = request.Collect(ref ctx, zset);
        foreach (var m in doomed)
        {
            SortedSetAccess.Remove(ref ctx, zset.Id, m.Member);
        }
        if (doomed.Count > 0)
        {
            ctx.Changed(kind switch
            {
                RangeKind.Rank => KeyEvent.ZRemRangeByRank,
                RangeKind.Score => KeyEvent.ZRemRangeByScore,
                _ => KeyEvent.ZRemRangeByLex,
            }, key);
            Collections.Save(ref ctx, key, Kind, zset, zset.Count - doomed.Count);
        }
        ctx.Reply.WriteInteger(doomed.Count);
    }
}
