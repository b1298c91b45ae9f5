using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class SetCommands
{
    public static void SPop(ref CommandContext ctx)
    {
        var hasCount = ctx.ArgCount == 3;
        if (ctx.ArgCount > 3)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var count = 1L;
        if (hasCount)
        {
            // getPositiveLongFromObjectOrReply: one message for a non-number and for a negative one.
            if (!Args.TryParseInt64(ctx.Arg(2), out count) || count < 0)
            {
                ctx.Reply.WriteRaw("-ERR value is out of range, must be positive\r\n"u8);
                return;
            }
        }
        var key = ctx.Arg(1);
        if (!Collections.TryOpen(ref ctx, key, Kind, out var set, out var wrongType))
        {
            if (wrongType)
            {
                return;
            }
            if (hasCount)
            {
                ctx.Reply.WriteSetHeader(0);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        if (hasCount && count == 0)
        {
            ctx.Reply.WriteSetHeader(0);
            return;
        }
        var members = ReadMembers(ref ctx, set);
        var picks = RandomPicks.Indexes(members.Count, count, ctx.Random);
        var taken = picks.Length;
        if (hasCount)
        {
            ctx.Reply.WriteSetHeader(taken);
        }
        foreach (var i in picks)
        {
            var member = members[i];
            ctx.Keyspace.DeleteMember(ctx.Writer, set.Id, Space, member);
            ctx.Reply.WriteBulk(member);
        }
        if (taken > 0)
        {
            ctx.Changed(KeyEvent.SPop, key);
        }
        Collections.Save(ref ctx, key, Kind, set, set.Count - taken);
    }

    public static void SRandMember(ref CommandContext ctx)
    {
        var hasCount = ctx.ArgCount == 3;
        if (ctx.ArgCount > 3)
        {
            ctx.Reply.WriteRaw(Errors.Syntax);
            return;
        }
        var count = 1L;
        if (hasCount)
        {
            if (!Args.TryParseInt64(ctx.Arg(2), out count))
            {
                ctx.Reply.WriteRaw(Errors.NotInteger);
                return;
            }
            if (count == long.MinValue)
            {
                ctx.Reply.WriteRaw("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"u8);
                return;
            }
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var set, out var wrongType))
        {
            if (wrongType)
            {
                return;
            }
            if (hasCount)
            {
                ctx.Reply.WriteArrayHeader(0);
            }
            else
            {
                ctx.Reply.WriteNull();
            }
            return;
        }
        var members = ReadMembers(ref ctx, set);
        if (!hasCount)
        {
            ctx.Reply.WriteBulk(members[ctx.Random.Next(members.Count)]);
            return;
        }
        var picks = RandomPicks.Indexes(members.Count, count, ctx.Random);
        ctx.Reply.WriteArrayHeader(picks.Length);
        foreach (var i in picks)
        {
            ctx.Reply.WriteBulk(members[i]);
        }
    }

    public static void SScan(ref CommandContext ctx)
    {
        if (!ScanOptions.TryParse(ref ctx, 2, allowType: false, out var options))
        {
            return;
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var set, out var wrongType))
        {
            if (!wrongType)
            {
                ScanCommand.WriteEmpty(ref ctx);
            }
            return;
        }
        // Redis walks a set's hash table COUNT buckets at a time; a set no larger than COUNT comes back whole.
        ScanCommand.ScanMembers(ref ctx, set, options, ScanValues.None);
    }
}
