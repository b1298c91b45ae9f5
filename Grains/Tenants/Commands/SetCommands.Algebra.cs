using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class SetCommands
{
    /// <summary>SINTER SUNION SDIFF and their STORE forms.</summary>
    public static void Combine(ref CommandContext ctx, SetOperation operation, bool store)
    {
        var first = store ? 2 : 1;
        // Redis checks every key's type before it computes anything; a missing key is an empty set.
        var sets = new OpenCollection?[ctx.ArgCount - first];
        for (var i = first; i < ctx.ArgCount; i++)
        {
            if (Collections.TryOpen(ref ctx, ctx.Arg(i), Kind, out var set, out var wrongType))
            {
                sets[i - first] = set;
            }
            else if (wrongType)
            {
                return;
            }
        }
        var result = operation switch
        {
            SetOperation.Inter => Intersect(ref ctx, sets, long.MaxValue),
            SetOperation.Union => Union(ref ctx, sets),
            _ => Difference(ref ctx, sets),
        };
        if (!store)
        {
            ctx.Reply.WriteSetHeader(result.Count);
            foreach (var member in result)
            {
                ctx.Reply.WriteBulk(member);
            }
            return;
        }
        var destination = ctx.Arg(1);
        var replaced = ctx.Keyspace.Delete(ctx.Writer, ctx.Db, destination, ctx.NowMs);
        if (result.Count > 0)
        {
            var id = ctx.Keyspace.AllocateCollectionId(ctx.Writer);
            foreach (var member in result)
            {
                ctx.Keyspace.PutMember(ctx.Writer, id, Space, member, default);
            }
            Collections.Save(ref ctx, destination, Kind, new OpenCollection(new CollectionHeader(id, 0), 0), result.Count);
            ctx.Changed(operation switch
            {
                SetOperation.Inter => KeyEvent.SInterStore,
                SetOperation.Union => KeyEvent.SUnionStore,
                _ => KeyEvent.SDiffStore,
            }, destination);
        }
        else if (replaced)
        {
            ctx.Changed(KeyEvent.Del, destination);
        }
        ctx.Reply.WriteInteger(result.Count);
    }

    public static void SInterCard(ref CommandContext ctx)
    {
        if (!Args.TryParseInt64(ctx.Arg(1), out var keyCount) || keyCount < 1)
        {
            ctx.Reply.WriteRaw("-ERR numkeys should be greater than 0\r\n"u8);
            return;
        }
        if (keyCount > ctx.ArgCount - 2)
        {
            ctx.Reply.WriteRaw("-ERR Number of keys can't be greater than number of args\r\n"u8);
            return;
        }
        var limit = 0L;
        for (var i = 2 + (int)keyCount; i < ctx.ArgCount; i++)
        {
            if (Args.Is(ctx.Arg(i), "LIMIT"u8) && i + 1 < ctx.ArgCount)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out limit) || limit < 0)
                {
                    ctx.Reply.WriteRaw("-ERR LIMIT can't be negative\r\n"u8);
                    return;
                }
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        var sets = new OpenCollection?[keyCount];
        for (var i = 0; i < keyCount; i++)
        {
            if (Collections.TryOpen(ref ctx, ctx.Arg(2 + i), Kind, out var set, out var wrongType))
            {
                sets[i] = set;
            }
            else if (wrongType)
            {
                return;
            }
        }
        ctx.Reply.WriteInteger(Intersect(ref ctx, sets, limit == 0 ? long.MaxValue : limit).Count);
    }

    private static List<byte[]> Intersect(ref CommandContext ctx, OpenCollection?[] sets, long limit)
    {
        var result = new List<byte[]>();
        var smallest = -1;
        for (var i = 0; i < sets.Length; i++)
        {
            if (sets[i] is not { } set)
            {
                return result;
            }
            if (smallest < 0 || set.Count < sets[smallest]!.Value.Count)
            {
                smallest = i;
            }
        }
        // Walk the smallest set and seek each member in the others: O(N*M) seeks, nothing loaded whole.
        foreach (var member in ReadMembers(ref ctx, sets[smallest]!.Value))
        {
            var inAll = true;
            for (var i = 0; i < sets.Length && inAll; i++)
            {
                inAll = i == smallest || ctx.Keyspace.TryGetMember(ctx.Txn, sets[i]!.Value.Id, Space, member, out _);
            }
            if (inAll)
            {
                result.Add(member);
                if (result.Count >= limit)
                {
                    break;
                }
            }
        }
        return result;
    }

    private static List<byte[]> Union(ref CommandContext ctx, OpenCollection?[] sets)
    {
        var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
        var result = new List<byte[]>();
        foreach (var set in sets)
        {
            if (set is null)
            {
                continue;
            }
            foreach (var member in ReadMembers(ref ctx, set.Value))
            {
                if (seen.Add(member))
                {
                    result.Add(member);
                }
            }
        }
        return result;
    }

    private static List<byte[]> Difference(ref CommandContext ctx, OpenCollection?[] sets)
    {
        var result = new List<byte[]>();
        if (sets[0] is not { } first)
        {
            return result;
        }
        foreach (var member in ReadMembers(ref ctx, first))
        {
            var elsewhere = false;
            for (var i = 1; i < sets.Length && !elsewhere; i++)
            {
                elsewhere = sets[i] is { } other && ctx.Keyspace.TryGetMember(ctx.Txn, other.Id, Space, member, out _);
            }
            if (!elsewhere)
            {
                result.Add(member);
            }
        }
        return result;
    }
}
