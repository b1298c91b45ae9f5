using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>Hashes: each field is a member of the hash's collection, its value the member's payload.</summary>
internal static partial class HashCommands
{
    private const ValueKind Kind = ValueKind.Hash;

    /// <summary>HSET (replies with the number of new fields) and HMSET (replies OK).</summary>
    public static void HSet(ref CommandContext ctx, bool replyOk)
    {
        if ((ctx.ArgCount & 1) != 0)
        {
            Replies.WrongArity(ctx.Reply, ctx.Name);
            return;
        }
        var key = ctx.Arg(1);
        if (!Collections.TryOpenOrCreate(ref ctx, key, Kind, out var hash))
        {
            return;
        }
        var added = 0;
        for (var i = 2; i < ctx.ArgCount; i += 2)
        {
            if (ctx.Keyspace.PutMember(ctx.Writer, hash.Id, Collections.PrimarySpace, ctx.Arg(i), ctx.Arg(i + 1)))
            {
                added++;
            }
        }
        Collections.Save(ref ctx, key, Kind, hash, hash.Count + added);
        ctx.Changed(KeyEvent.HSet, key);
        if (replyOk)
        {
            ctx.Reply.WriteRaw("+OK\r\n"u8);
        }
        else
        {
            ctx.Reply.WriteInteger(added);
        }
    }

    public static void HSetNx(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!Collections.TryOpenOrCreate(ref ctx, key, Kind, out var hash))
        {
            return;
        }
        if (ctx.Keyspace.TryGetMember(ctx.Txn, hash.Id, Collections.PrimarySpace, ctx.Arg(2), out _))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Keyspace.PutMember(ctx.Writer, hash.Id, Collections.PrimarySpace, ctx.Arg(2), ctx.Arg(3));
        Collections.Save(ref ctx, key, Kind, hash, hash.Count + 1);
        ctx.Changed(KeyEvent.HSet, key);
        ctx.Reply.WriteInteger(1);
    }

    public static void HGet(ref CommandContext ctx)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        if (ctx.Keyspace.TryGetMember(ctx.Txn, hash.Id, Collections.PrimarySpace, ctx.Arg(2), out var value))
        {
            ctx.Reply.WriteBulk(value);
        }
        else
        {
            ctx.Reply.WriteNull();
        }
    }

    public static void HMGet(ref CommandContext ctx)
    {
        var found = Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType);
        if (wrongType)
        {
            return;
        }
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 2);
        for (var i = 2; i < ctx.ArgCount; i++)
        {
            if (found && ctx.Keyspace.TryGetMember(ctx.Txn, hash.Id, Collections.PrimarySpace, ctx.Arg(i), out var value))
            {
                ctx.Reply.WriteBulk(value);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
    }

    /// <summary>HGETALL (map of fields to values), HKEYS and HVALS.</summary>
    public static void HGetAll(ref CommandContext ctx, bool fields, bool values)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
        {
            if (!wrongType)
            {
                if (fields && values)
                {
                    ctx.Reply.WriteMapHeader(0);
                }
                else
                {
                    ctx.Reply.WriteArrayHeader(0);
                }
            }
            return;
        }
        if (fields && values)
        {
            ctx.Reply.WriteMapHeader((int)hash.Count);
        }
        else
        {
            ctx.Reply.WriteArrayHeader((int)hash.Count);
        }
        var written = 0L;
        using (var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, hash.Id, Collections.PrimarySpace, default, out var more))
        {
            for (; more && RedisKeyspace.IsInSpace(cursor.Key, hash.Id, Collections.PrimarySpace) && written < hash.Count; more = cursor.Next())
            {
                if (fields && values)
                {
                    ctx.Reply.WriteBulk(RedisKeyspace.MemberAndPayload(cursor.Key, cursor.Value, out var payload));
                    ctx.Reply.WriteBulk(payload);
                }
                else if (fields)
                {
                    ctx.Reply.WriteBulk(RedisKeyspace.MemberOf(cursor.Key, cursor.Value));
                }
                else if (values)
                {
                    ctx.Reply.WriteBulk(RedisKeyspace.MemberPayload(cursor.Key, cursor.Value));
                }
                written++;
            }
        }
        if (written != hash.Count)
        {
            throw new StorageCorruptionException($"hash {hash.Id} counts {hash.Count} fields but holds {written}");
        }
    }

    public static void HDel(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!Collections.TryOpen(ref ctx, key, Kind, out var hash, out var wrongType))
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
            if (ctx.Keyspace.DeleteMember(ctx.Writer, hash.Id, Collections.PrimarySpace, ctx.Arg(i)))
            {
                removed++;
            }
        }
        if (removed > 0)
        {
            ctx.Changed(KeyEvent.HDel, key);
            Collections.Save(ref ctx, key, Kind, hash, hash.Count - removed);
        }
        ctx.Reply.WriteInteger(removed);
    }

    public static void HExists(ref CommandContext ctx)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        ctx.Reply.WriteInteger(ctx.Keyspace.TryGetMember(ctx.Txn, hash.Id, Collections.PrimarySpace, ctx.Arg(2), out _) ? 1 : 0);
    }

    public static void HLen(ref CommandContext ctx)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        ctx.Reply.WriteInteger(hash.Count);
    }

    public static void HStrLen(ref CommandContext ctx)
    {
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteInteger(0);
            }
            return;
        }
        ctx.Reply.WriteInteger(ctx.Keyspace.TryGetMember(ctx.Txn, hash.Id, Collections.PrimarySpace, ctx.Arg(2), out var value) ? value.Length : 0);
    }
}
