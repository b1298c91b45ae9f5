using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal enum SetOperation
{
    Inter,
    Union,
    Diff,
}

/// <summary>Sets: each member is a member of the set's collection with an empty payload.</summary>
internal static partial class SetCommands
{
    private const ValueKind Kind = ValueKind.Set;
    private const byte Space = Collections.PrimarySpace;

    public static void SAdd(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!Collections.TryOpenOrCreate(ref ctx, key, Kind, out var set))
        {
            return;
        }
        var added = 0;
        for (var i = 2; i < ctx.ArgCount; i++)
        {
            if (ctx.Keyspace.PutMember(ctx.Writer, set.Id, Space, ctx.Arg(i), default))
            {
                added++;
            }
        }
        if (added > 0 || set.Count == 0)
        {
            Collections.Save(ref ctx, key, Kind, set, set.Count + added);
        }
        if (added > 0)
        {
            ctx.Changed(KeyEvent.SAdd, key);
        }
        ctx.Reply.WriteInteger(added);
    }

    public static void SRem(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!Collections.TryOpen(ref ctx, key, Kind, out var set, out var wrongType))
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
            if (ctx.Keyspace.DeleteMember(ctx.Writer, set.Id, Space, ctx.Arg(i)))
            {
                removed++;
            }
        }
        if (removed > 0)
        {
            ctx.Changed(KeyEvent.SRem, key);
            Collections.Save(ref ctx, key, Kind, set, set.Count - removed);
        }
        ctx.Reply.WriteInteger(removed);
    }

    public static void SMembers(ref CommandContext ctx)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var set, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteSetHeader(0);
            }
            return;
        }
        ctx.Reply.WriteSetHeader((int)set.Count);
        using var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, set.Id, Space, default, out var more);
        for (; more && RedisKeyspace.IsInSpace(cursor.Key, set.Id, Space); more = cursor.Next())
        {
            ctx.Reply.WriteBulk(RedisKeyspace.MemberOf(cursor.Key, cursor.Value));
        }
    }

    /// <summary>SISMEMBER (one integer) and SMISMEMBER (an array of them).</summary>
    public static void SIsMember(ref CommandContext ctx, bool many)
    {
        var found = Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var set, out var wrongType);
        if (wrongType)
        {
            return;
        }
        if (many)
        {
            ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        }
        for (var i = 2; i < ctx.ArgCount; i++)
        {
            ctx.Reply.WriteInteger(found && ctx.Keyspace.TryGetMember(ctx.Txn, set.Id, Space, ctx.Arg(i), out _) ? 1 : 0);
        }
    }

    public static void SCard(ref CommandContext ctx)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var set, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        ctx.Reply.WriteInteger(set.Count);
    }

    public static void SMove(ref CommandContext ctx)
    {
        var source = ctx.Arg(1);
        var destination = ctx.Arg(2);
        var member = ctx.Arg(3);
        // Redis looks both keys up before it checks either type, and a missing source answers 0 first.
        var hasSource = ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, source, ctx.NowMs, out var sourceValue);
        var sourceKind = hasSource ? sourceValue.Kind : Kind;
        var hasDestination = ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, destination, ctx.NowMs, out var destinationValue);
        var destinationKind = hasDestination ? destinationValue.Kind : Kind;
        if (!hasSource)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (sourceKind != Kind || destinationKind != Kind)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        Collections.TryOpen(ref ctx, source, Kind, out var from, out _);
        if (source.SequenceEqual(destination))
        {
            ctx.Reply.WriteInteger(ctx.Keyspace.TryGetMember(ctx.Txn, from.Id, Space, member, out _) ? 1 : 0);
            return;
        }
        if (!ctx.Keyspace.DeleteMember(ctx.Writer, from.Id, Space, member))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Changed(KeyEvent.SRem, source);
        Collections.Save(ref ctx, source, Kind, from, from.Count - 1);
        Collections.TryOpenOrCreate(ref ctx, destination, Kind, out var to);
        if (ctx.Keyspace.PutMember(ctx.Writer, to.Id, Space, member, default))
        {
            Collections.Save(ref ctx, destination, Kind, to, to.Count + 1);
            ctx.Changed(KeyEvent.SAdd, destination);
        }
        ctx.Reply.WriteInteger(1);
    }

    /// <summary>Every member of a set, copied out of the map.</summary>
    internal static List<byte[]> ReadMembers(ref CommandContext ctx, in OpenCollection set)
    {
        var members = new List<byte[]>((int)Math.Min(set.Count, 1 << 20));
        using var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, set.Id, Space, default, out var more);
        for (; more && RedisKeyspace.IsInSpace(cursor.Key, set.Id, Space); more = cursor.Next())
        {
            members.Add(RedisKeyspace.MemberOf(cursor.Key, cursor.Value).ToArray());
        }
        return members;
    }
}
