using System.Buffers.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class HashCommands
{
    /// <summary>Hashes up to this size answer HSCAN in one call with cursor 0, as Redis does for its compact (listpack) hashes.</summary>
    private const long CompactSize = 128;

    public static void HRandField(ref CommandContext ctx)
    {
        var hasCount = ctx.ArgCount >= 3;
        var withValues = false;
        long count = 1;
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
            if (ctx.ArgCount > 4 || (ctx.ArgCount == 4 && !Args.Is(ctx.Arg(3), "WITHVALUES"u8)))
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
            withValues = ctx.ArgCount == 4;
            if (withValues && (count < -(long.MaxValue / 2) || count > long.MaxValue / 2))
            {
                ctx.Reply.WriteRaw("-ERR value is out of range\r\n"u8);
                return;
            }
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
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
        var entries = ReadAll(ref ctx, hash);
        if (!hasCount)
        {
            ctx.Reply.WriteBulk(entries[Random.Shared.Next(entries.Count)].Field);
            return;
        }
        var picks = new List<int>();
        if (count >= 0)
        {
            // Distinct fields: all of them when count reaches the size, else a random sample.
            var order = Enumerable.Range(0, entries.Count).ToArray();
            Random.Shared.Shuffle(order);
            picks.AddRange(order.Take((int)Math.Min(count, entries.Count)));
        }
        else
        {
            for (long i = 0; i < -count; i++)
            {
                picks.Add(Random.Shared.Next(entries.Count));
            }
        }
        if (withValues && ctx.Reply.Protocol == RespProtocol.Resp3)
        {
            ctx.Reply.WriteArrayHeader(picks.Count);
            foreach (var i in picks)
            {
                ctx.Reply.WriteArrayHeader(2);
                ctx.Reply.WriteBulk(entries[i].Field);
                ctx.Reply.WriteBulk(entries[i].Value);
            }
            return;
        }
        ctx.Reply.WriteArrayHeader(withValues ? picks.Count * 2 : picks.Count);
        foreach (var i in picks)
        {
            ctx.Reply.WriteBulk(entries[i].Field);
            if (withValues)
            {
                ctx.Reply.WriteBulk(entries[i].Value);
            }
        }
    }

    public static void HScan(ref CommandContext ctx)
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
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
        {
            if (!wrongType)
            {
                ctx.Reply.WriteArrayHeader(2);
                ctx.Reply.WriteBulk("0"u8);
                ctx.Reply.WriteArrayHeader(0);
            }
            return;
        }
        // Cursor numbers of collection scans live beside SCAN's in the same table, under their own namespace.
        var scope = 1000 + ctx.Db;
        var resumeAt = cursorId == 0 ? null : ctx.Cursors.Find(scope, cursorId);
        if (hash.Count <= CompactSize)
        {
            count = long.MaxValue;
            resumeAt = null;
        }
        var found = new List<(byte[] Field, byte[] Value)>();
        ulong next = 0;
        using (var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.MembersDatabase))
        {
            var more = resumeAt is not null && RedisKeyspace.IsInSpace(resumeAt, hash.Id, Collections.PrimarySpace)
                ? cursor.SeekAtOrAfter(resumeAt)
                : ctx.Keyspace.SeekMembers(cursor, hash.Id, Collections.PrimarySpace);
            for (var visited = 0L; more && RedisKeyspace.IsInSpace(cursor.Key, hash.Id, Collections.PrimarySpace); more = cursor.Next(), visited++)
            {
                if (visited == count)
                {
                    next = ctx.Cursors.Save(scope, cursor.Key);
                    break;
                }
                var field = RedisKeyspace.MemberOf(cursor.Key, cursor.Value);
                if (!hasPattern || Glob.IsMatch(pattern, field))
                {
                    found.Add((field.ToArray(), RedisKeyspace.MemberPayload(cursor.Value).ToArray()));
                }
            }
        }
        ctx.Reply.WriteArrayHeader(2);
        Span<byte> number = stackalloc byte[24];
        Utf8Formatter.TryFormat(next, number, out var written);
        ctx.Reply.WriteBulk(number[..written]);
        ctx.Reply.WriteArrayHeader(found.Count * 2);
        foreach (var (field, value) in found)
        {
            ctx.Reply.WriteBulk(field);
            ctx.Reply.WriteBulk(value);
        }
    }

    private static List<(byte[] Field, byte[] Value)> ReadAll(ref CommandContext ctx, in OpenCollection hash)
    {
        var entries = new List<(byte[] Field, byte[] Value)>((int)Math.Min(hash.Count, 1 << 20));
        using var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, hash.Id, Collections.PrimarySpace, default, out var more);
        for (; more && RedisKeyspace.IsInSpace(cursor.Key, hash.Id, Collections.PrimarySpace); more = cursor.Next())
        {
            entries.Add((RedisKeyspace.MemberOf(cursor.Key, cursor.Value).ToArray(), RedisKeyspace.MemberPayload(cursor.Value).ToArray()));
        }
        return entries;
    }
}
