using System.Buffers.Text;
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
        var order = Enumerable.Range(0, members.Count).ToArray();
        Random.Shared.Shuffle(order);
        var taken = (int)Math.Min(count, members.Count);
        if (hasCount)
        {
            ctx.Reply.WriteSetHeader(taken);
        }
        for (var i = 0; i < taken; i++)
        {
            var member = members[order[i]];
            ctx.Keyspace.DeleteMember(ctx.Writer, set.Id, Space, member);
            ctx.Reply.WriteBulk(member);
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
            ctx.Reply.WriteBulk(members[Random.Shared.Next(members.Count)]);
            return;
        }
        if (count >= 0)
        {
            var order = Enumerable.Range(0, members.Count).ToArray();
            Random.Shared.Shuffle(order);
            var taken = (int)Math.Min(count, members.Count);
            ctx.Reply.WriteArrayHeader(taken);
            for (var i = 0; i < taken; i++)
            {
                ctx.Reply.WriteBulk(members[order[i]]);
            }
            return;
        }
        ctx.Reply.WriteArrayHeader((int)Math.Min(-count, int.MaxValue));
        for (long i = 0; i < -count; i++)
        {
            ctx.Reply.WriteBulk(members[Random.Shared.Next(members.Count)]);
        }
    }

    public static void SScan(ref CommandContext ctx)
    {
        if (!Utf8Parser.TryParse(ctx.Arg(2), out ulong cursorId, out var consumed) || consumed != ctx.Arg(2).Length)
        {
            ctx.Reply.WriteRaw(Errors.InvalidCursor);
            return;
        }
        var count = 10L;
        var pattern = ReadOnlySpan<byte>.Empty;
        var hasPattern = false;
        for (var i = 3; i < ctx.ArgCount; i++)
        {
            var a = ctx.Arg(i);
            var hasNext = i + 1 < ctx.ArgCount;
            if (Args.Is(a, "COUNT"u8) && hasNext)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out count))
                {
                    ctx.Reply.WriteRaw(Errors.NotInteger);
                    return;
                }
                if (count < 1)
                {
                    ctx.Reply.WriteRaw(Errors.Syntax);
                    return;
                }
            }
            else if (Args.Is(a, "MATCH"u8) && hasNext)
            {
                pattern = ctx.Arg(++i);
                hasPattern = !(pattern.Length == 1 && pattern[0] == (byte)'*');
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var set, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteArrayHeader(2);
                ctx.Reply.WriteBulk("0"u8);
                ctx.Reply.WriteArrayHeader(0);
            }
            return;
        }
        var scope = 1000 + ctx.Db;
        var resumeAt = cursorId == 0 ? null : ctx.Cursors.Find(scope, cursorId);
        var found = new List<byte[]>();
        ulong next = 0;
        using (var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.MembersDatabase))
        {
            var more = resumeAt is not null && RedisKeyspace.IsInSpace(resumeAt, set.Id, Space)
                ? cursor.SeekAtOrAfter(resumeAt)
                : ctx.Keyspace.SeekMembers(cursor, set.Id, Space);
            for (var visited = 0L; more && RedisKeyspace.IsInSpace(cursor.Key, set.Id, Space); more = cursor.Next(), visited++)
            {
                if (visited == count)
                {
                    next = ctx.Cursors.Save(scope, cursor.Key);
                    break;
                }
                var member = RedisKeyspace.MemberOf(cursor.Key, cursor.Value);
                if (!hasPattern || Glob.IsMatch(pattern, member))
                {
                    found.Add(member.ToArray());
                }
            }
        }
        ctx.Reply.WriteArrayHeader(2);
        Span<byte> number = stackalloc byte[24];
        Utf8Formatter.TryFormat(next, number, out var written);
        ctx.Reply.WriteBulk(number[..written]);
        ctx.Reply.WriteArrayHeader(found.Count);
        foreach (var member in found)
        {
            ctx.Reply.WriteBulk(member);
        }
    }
}
