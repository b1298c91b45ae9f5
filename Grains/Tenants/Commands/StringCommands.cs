using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>GET, SET and the commands that read or replace a whole string.</summary>
internal static partial class StringCommands
{
    /// <summary>Redis' proto-max-bulk-len: the largest string.</summary>
    public const long MaxStringLength = 512L * 1024 * 1024;

    [Flags]
    private enum SetFlags
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Get = 4,
        KeepTtl = 8,
        Ex = 16,
        Px = 32,
        ExAt = 64,
        PxAt = 128,
        Persist = 256,
    }

    private const SetFlags ExpiryFlags = SetFlags.Ex | SetFlags.Px | SetFlags.ExAt | SetFlags.PxAt;

    public static void Get(ref CommandContext ctx)
    {
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteNull();
        }
        else if (value.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
        }
        else
        {
            ctx.Reply.WriteBulk(value.Payload);
        }
    }

    public static void Set(ref CommandContext ctx)
    {
        // Redis parses every option before it looks at the key (parseExtendedStringArgumentsOrReply).
        var flags = SetFlags.None;
        var expireArg = -1;
        for (var i = 3; i < ctx.ArgCount; i++)
        {
            var a = ctx.Arg(i);
            var hasNext = i + 1 < ctx.ArgCount;
            if (Args.Is(a, "NX"u8) && (flags & SetFlags.Xx) == 0)
            {
                flags |= SetFlags.Nx;
            }
            else if (Args.Is(a, "XX"u8) && (flags & SetFlags.Nx) == 0)
            {
                flags |= SetFlags.Xx;
            }
            else if (Args.Is(a, "GET"u8))
            {
                flags |= SetFlags.Get;
            }
            else if (Args.Is(a, "KEEPTTL"u8) && (flags & ExpiryFlags) == 0)
            {
                flags |= SetFlags.KeepTtl;
            }
            else if (hasNext && (flags & (ExpiryFlags | SetFlags.KeepTtl)) == 0 && TryExpiryKeyword(a, out var unit))
            {
                flags |= unit;
                expireArg = ++i;
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        var expireAt = 0L;
        if (expireArg > 0 && !TryResolveExpiry(ref ctx, ctx.Arg(expireArg), flags, out expireAt))
        {
            return;
        }
        var key = ctx.Arg(1);
        var txn = ctx.Writer;
        var found = ctx.Keyspace.TryGetForWrite(txn, ctx.Db, key, ctx.NowMs, out var current);
        if ((flags & SetFlags.Get) != 0)
        {
            if (found && current.Kind != ValueKind.String)
            {
                ctx.Reply.WriteRaw(Errors.WrongType);
                return;
            }
            if (found)
            {
                ctx.Reply.WriteBulk(current.Payload);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
        if (((flags & SetFlags.Nx) != 0 && found) || ((flags & SetFlags.Xx) != 0 && !found))
        {
            if ((flags & SetFlags.Get) == 0)
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        if ((flags & SetFlags.KeepTtl) != 0 && found)
        {
            expireAt = current.ExpireAtMs;
        }
        ctx.Keyspace.Put(txn, ctx.Db, key, ValueKind.String, expireAt, ctx.Arg(2));
        ctx.Changed(KeyEvent.Set, key);
        if (expireArg > 0)
        {
            ctx.Changed(KeyEvent.Expire, key);
        }
        if ((flags & SetFlags.Get) == 0)
        {
            ctx.Reply.WriteRaw("+OK\r\n"u8);
        }
    }

    public static void SetNx(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out _))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, ValueKind.String, 0, ctx.Arg(2));
        ctx.Changed(KeyEvent.Set, key);
        ctx.Reply.WriteInteger(1);
    }

    /// <summary>SETEX key seconds value and PSETEX key milliseconds value.</summary>
    public static void SetEx(ref CommandContext ctx, bool milliseconds)
    {
        if (!TryResolveExpiry(ref ctx, ctx.Arg(2), milliseconds ? SetFlags.Px : SetFlags.Ex, out var expireAt))
        {
            return;
        }
        ctx.Keyspace.Put(ctx.Writer, ctx.Db, ctx.Arg(1), ValueKind.String, expireAt, ctx.Arg(3));
        ctx.Changed(KeyEvent.Set, ctx.Arg(1));
        ctx.Changed(KeyEvent.Expire, ctx.Arg(1));
        ctx.Reply.WriteRaw("+OK\r\n"u8);
    }

    public static void GetSet(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        var found = ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var current);
        if (found && current.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        if (found)
        {
            ctx.Reply.WriteBulk(current.Payload);
        }
        else
        {
            ctx.Reply.WriteNull();
        }
        ctx.Keyspace.Put(ctx.Writer, ctx.Db, key, ValueKind.String, 0, ctx.Arg(2));
        ctx.Changed(KeyEvent.Set, key);
    }

    public static void GetDel(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var current))
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (current.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        ctx.Reply.WriteBulk(current.Payload);
        ctx.Keyspace.Delete(ctx.Writer, ctx.Db, key, ctx.NowMs);
        ctx.Changed(KeyEvent.Del, key);
    }

    public static void GetEx(ref CommandContext ctx)
    {
        var flags = SetFlags.None;
        var expireArg = -1;
        for (var i = 2; i < ctx.ArgCount; i++)
        {
            var a = ctx.Arg(i);
            var hasNext = i + 1 < ctx.ArgCount;
            if (Args.Is(a, "PERSIST"u8) && (flags & ExpiryFlags) == 0)
            {
                flags |= SetFlags.Persist;
            }
            else if (hasNext && (flags & (ExpiryFlags | SetFlags.Persist)) == 0 && TryExpiryKeyword(a, out var unit))
            {
                flags |= unit;
                expireArg = ++i;
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        var expireAt = 0L;
        if (expireArg > 0 && !TryResolveExpiry(ref ctx, ctx.Arg(expireArg), flags, out expireAt))
        {
            return;
        }
        var key = ctx.Arg(1);
        if (!ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var current))
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (current.Kind != ValueKind.String)
        {
            ctx.Reply.WriteRaw(Errors.WrongType);
            return;
        }
        ctx.Reply.WriteBulk(current.Payload);
        if (expireArg > 0 && expireAt <= ctx.NowMs)
        {
            ctx.Keyspace.Delete(ctx.Writer, ctx.Db, key, ctx.NowMs);
            ctx.Changed(KeyEvent.Del, key);
        }
        else if (expireArg > 0)
        {
            ctx.Keyspace.SetExpiry(ctx.Writer, ctx.Db, key, expireAt);
            ctx.Changed(KeyEvent.Expire, key);
        }
        else if ((flags & SetFlags.Persist) != 0 && current.HasExpiry)
        {
            ctx.Keyspace.SetExpiry(ctx.Writer, ctx.Db, key, 0);
            ctx.Changed(KeyEvent.Persist, key);
        }
    }

    public static void MGet(ref CommandContext ctx)
    {
        ctx.Reply.WriteArrayHeader(ctx.ArgCount - 1);
        for (var i = 1; i < ctx.ArgCount; i++)
        {
            if (ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(i), ctx.NowMs, out var value) && value.Kind == ValueKind.String)
            {
                ctx.Reply.WriteBulk(value.Payload);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
        }
    }

    /// <summary>MSET and MSETNX.</summary>
    public static void MSet(ref CommandContext ctx, bool onlyIfNoneExist)
    {
        if ((ctx.ArgCount & 1) == 0)
        {
            Replies.WrongArity(ctx.Reply, ctx.Name);
            return;
        }
        if (onlyIfNoneExist)
        {
            for (var i = 1; i < ctx.ArgCount; i += 2)
            {
                if (ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, ctx.Arg(i), ctx.NowMs, out _))
                {
                    ctx.Reply.WriteInteger(0);
                    return;
                }
            }
        }
        for (var i = 1; i < ctx.ArgCount; i += 2)
        {
            ctx.Keyspace.Put(ctx.Writer, ctx.Db, ctx.Arg(i), ValueKind.String, 0, ctx.Arg(i + 1));
            ctx.Changed(KeyEvent.Set, ctx.Arg(i));
        }
        if (onlyIfNoneExist)
        {
            ctx.Reply.WriteInteger(1);
        }
        else
        {
            ctx.Reply.WriteRaw("+OK\r\n"u8);
        }
    }

    private static bool TryExpiryKeyword(ReadOnlySpan<byte> a, out SetFlags unit)
    {
        unit = Args.Is(a, "EX"u8) ? SetFlags.Ex
            : Args.Is(a, "PX"u8) ? SetFlags.Px
            : Args.Is(a, "EXAT"u8) ? SetFlags.ExAt
            : Args.Is(a, "PXAT"u8) ? SetFlags.PxAt
            : SetFlags.None;
        return unit != SetFlags.None;
    }

    /// <summary>Redis' getExpireMillisecondsOrReply: a positive count in the unit, converted to absolute ms.</summary>
    private static bool TryResolveExpiry(ref CommandContext ctx, ReadOnlySpan<byte> arg, SetFlags unit, out long expireAtMs)
    {
        expireAtMs = 0;
        if (!Args.TryParseInt64(arg, out var value))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return false;
        }
        var seconds = (unit & (SetFlags.Ex | SetFlags.ExAt)) != 0;
        if (value <= 0 || (seconds && value > long.MaxValue / 1000))
        {
            Replies.InvalidExpireTime(ctx.Reply, ctx.Name);
            return false;
        }
        if (seconds)
        {
            value *= 1000;
        }
        if ((unit & (SetFlags.Ex | SetFlags.Px)) != 0)
        {
            value = unchecked(value + ctx.NowMs);
        }
        if (value <= 0)
        {
            Replies.InvalidExpireTime(ctx.Reply, ctx.Name);
            return false;
        }
        expireAtMs = value;
        return true;
    }
}
