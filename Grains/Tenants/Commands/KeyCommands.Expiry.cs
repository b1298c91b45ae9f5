using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class KeyCommands
{
    [Flags]
    private enum ExpireCondition
    {
        None = 0,
        Nx = 1,
        Xx = 2,
        Gt = 4,
        Lt = 8,
    }

    /// <summary>EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (Redis' expireGenericCommand).</summary>
    public static void Expire(ref CommandContext ctx, bool milliseconds, bool absolute)
    {
        var condition = ExpireCondition.None;
        for (var i = 3; i < ctx.ArgCount; i++)
        {
            var a = ctx.Arg(i);
            if (Args.Is(a, "NX"u8))
            {
                condition |= ExpireCondition.Nx;
            }
            else if (Args.Is(a, "XX"u8))
            {
                condition |= ExpireCondition.Xx;
            }
            else if (Args.Is(a, "GT"u8))
            {
                condition |= ExpireCondition.Gt;
            }
            else if (Args.Is(a, "LT"u8))
            {
                condition |= ExpireCondition.Lt;
            }
            else
            {
                Replies.Error(ctx.Reply, "ERR Unsupported option " + System.Text.Encoding.UTF8.GetString(a));
                return;
            }
        }
        if ((condition & ExpireCondition.Nx) != 0 && (condition & (ExpireCondition.Xx | ExpireCondition.Gt | ExpireCondition.Lt)) != 0)
        {
            ctx.Reply.WriteRaw("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"u8);
            return;
        }
        if ((condition & ExpireCondition.Gt) != 0 && (condition & ExpireCondition.Lt) != 0)
        {
            ctx.Reply.WriteRaw("-ERR GT and LT options at the same time are not compatible\r\n"u8);
            return;
        }
        if (!Args.TryParseInt64(ctx.Arg(2), out var when))
        {
            ctx.Reply.WriteRaw(Errors.NotInteger);
            return;
        }
        if (!milliseconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000)
            {
                Replies.InvalidExpireTime(ctx.Reply, ctx.Name);
                return;
            }
            when *= 1000;
        }
        var basetime = absolute ? 0 : ctx.NowMs;
        if (when > long.MaxValue - basetime)
        {
            Replies.InvalidExpireTime(ctx.Reply, ctx.Name);
            return;
        }
        when += basetime;
        var key = ctx.Arg(1);
        if (!ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var value))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        var current = value.HasExpiry ? value.ExpireAtMs : -1;
        if (((condition & ExpireCondition.Nx) != 0 && current != -1) ||
            ((condition & ExpireCondition.Xx) != 0 && current == -1) ||
            ((condition & ExpireCondition.Gt) != 0 && (when <= current || current == -1)) ||
            ((condition & ExpireCondition.Lt) != 0 && current != -1 && when >= current))
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        if (when <= ctx.NowMs)
        {
            ctx.Keyspace.Delete(ctx.Writer, ctx.Db, key, ctx.NowMs);
            ctx.Changed(KeyEvent.Del, key);
        }
        else
        {
            ctx.Keyspace.SetExpiry(ctx.Writer, ctx.Db, key, when);
            ctx.Changed(KeyEvent.Expire, key);
        }
        ctx.Reply.WriteInteger(1);
    }

    /// <summary>TTL, PTTL, EXPIRETIME, PEXPIRETIME (Redis' ttlGenericCommand).</summary>
    public static void Ttl(ref CommandContext ctx, bool milliseconds, bool absolute)
    {
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(1), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteInteger(-2);
            return;
        }
        if (!value.HasExpiry)
        {
            ctx.Reply.WriteInteger(-1);
            return;
        }
        var ttl = absolute ? value.ExpireAtMs : value.ExpireAtMs - ctx.NowMs;
        if (ttl < 0)
        {
            ttl = 0;
        }
        ctx.Reply.WriteInteger(milliseconds ? ttl : (ttl + 500) / 1000);
    }

    public static void Persist(ref CommandContext ctx)
    {
        var key = ctx.Arg(1);
        if (!ctx.Keyspace.TryGetForWrite(ctx.Writer, ctx.Db, key, ctx.NowMs, out var value) || !value.HasExpiry)
        {
            ctx.Reply.WriteInteger(0);
            return;
        }
        ctx.Keyspace.SetExpiry(ctx.Writer, ctx.Db, key, 0);
        ctx.Changed(KeyEvent.Persist, key);
        ctx.Reply.WriteInteger(1);
    }
}
