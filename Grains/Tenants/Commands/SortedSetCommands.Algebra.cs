using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.</summary>
internal static partial class SortedSetCommands
{
    /// <summary>
    /// ZUNION, ZINTER, ZDIFF (numkeys at argument 1) and ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE (destination,
    /// then numkeys at argument 2). A STORE replaces the destination, or deletes it when the result is empty.
    /// </summary>
    public static void Combine(ref CommandContext ctx, SetOperation operation, bool store)
    {
        if (!TryParseAlgebra(ref ctx, store ? 2 : 1, operation, store, cardinalityOnly: false, out var inputs, out var aggregate,
                out var withScores, out _))
        {
            return;
        }
        var result = operation switch
        {
            SetOperation.Union => SortedSetAlgebra.Union(ref ctx, inputs, aggregate),
            SetOperation.Inter => SortedSetAlgebra.Intersect(ref ctx, inputs, aggregate, countOnly: false, 0, out _),
            _ => SortedSetAlgebra.Difference(ref ctx, inputs),
        };
        if (store)
        {
            Store(ref ctx, ctx.Arg(1), result, operation switch
            {
                SetOperation.Union => KeyEvent.ZUnionStore,
                SetOperation.Inter => KeyEvent.ZInterStore,
                _ => KeyEvent.ZDiffStore,
            });
            ctx.Reply.WriteInteger(result.Count);
            return;
        }
        WriteMembers(ref ctx, result, withScores);
    }

    public static void ZInterCard(ref CommandContext ctx)
    {
        if (!TryParseAlgebra(ref ctx, 1, SetOperation.Inter, store: false, cardinalityOnly: true, out var inputs, out _, out _, out var limit))
        {
            return;
        }
        SortedSetAlgebra.Intersect(ref ctx, inputs, ScoreAggregate.Sum, countOnly: true, limit, out var count);
        ctx.Reply.WriteInteger(count);
    }

    /// <summary>
    /// Parses numkeys, the keys and the options in Redis' order: every key's type is checked before any
    /// option, so a wrong-typed key wins over a bad WEIGHTS. Writes the error and returns false on bad input.
    /// </summary>
    private static bool TryParseAlgebra(ref CommandContext ctx, int numKeysIndex, SetOperation operation, bool store, bool cardinalityOnly,
        out ScoredInput[] inputs, out ScoreAggregate aggregate, out bool withScores, out long limit)
    {
        inputs = [];
        aggregate = ScoreAggregate.Sum;
        withScores = false;
        limit = 0;
        if (!Args.TryParseInt64(ctx.Arg(numKeysIndex), out var keyCount))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return false;
        }
        if (keyCount < 1)
        {
            Replies.Error(ctx.Reply, $"ERR at least 1 input key is needed for '{ctx.Name}' command");
            return false;
        }
        if (keyCount > ctx.ArgCount - (numKeysIndex + 1))
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return false;
        }
        inputs = new ScoredInput[keyCount];
        var j = numKeysIndex + 1;
        for (var i = 0; i < inputs.Length; i++, j++)
        {
            if (Collections.TryOpenEither(ref ctx, ctx.Arg(j), ValueKind.ZSet, ValueKind.Set, out var collection, out var kind, out var wrongType))
            {
                inputs[i] = new ScoredInput(collection.Id, collection.Count, true, kind == ValueKind.Set, 1);
            }
            else if (wrongType)
            {
                return false;
            }
            else
            {
                inputs[i] = new ScoredInput(0, 0, false, false, 1);
            }
        }
        var weighted = operation != SetOperation.Diff && !cardinalityOnly;
        for (; j < ctx.ArgCount; j++)
        {
            var a = ctx.Arg(j);
            var remaining = ctx.ArgCount - j;
            if (weighted && remaining >= inputs.Length + 1 && Args.Is(a, "WEIGHTS"u8))
            {
                for (var i = 0; i < inputs.Length; i++)
                {
                    if (!Args.TryParseDouble(ctx.Arg(++j), out var weight))
                    {
                        ctx.Reply.WriteRaw("-ERR weight value is not a float\r\n"u8);
                        return false;
                    }
                    inputs[i] = inputs[i] with { Weight = weight };
                }
            }
            else if (weighted && remaining >= 2 && Args.Is(a, "AGGREGATE"u8))
            {
                var name = ctx.Arg(++j);
                if (Args.Is(name, "SUM"u8))
                {
                    aggregate = ScoreAggregate.Sum;
                }
                else if (Args.Is(name, "MIN"u8))
                {
                    aggregate = ScoreAggregate.Min;
                }
                else if (Args.Is(name, "MAX"u8))
                {
                    aggregate = ScoreAggregate.Max;
                }
                else
                {
                    ctx.Reply.WriteRaw(Errors.Syntax);
                    return false;
                }
            }
            else if (!store && !cardinalityOnly && Args.Is(a, "WITHSCORES"u8))
            {
                withScores = true;
            }
            else if (cardinalityOnly && remaining >= 2 && Args.Is(a, "LIMIT"u8))
            {
                if (!Args.TryParseInt64(ctx.Arg(++j), out limit) || limit < 0)
                {
                    ctx.Reply.WriteRaw("-ERR LIMIT can't be negative\r\n"u8);
                    return false;
                }
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return false;
            }
        }
        return true;
    }
}
