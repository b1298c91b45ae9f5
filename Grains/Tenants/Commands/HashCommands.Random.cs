using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class HashCommands
{
    public static void HRandField(ref CommandContext ctx)
    {
        var hasCount = ctx.ArgCount >= 3;
        if (!RandomPicks.TryParseCount(ref ctx, "WITHVALUES"u8, out var count, out var withValues))
        {
            return;
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
            ctx.Reply.WriteBulk(entries[ctx.Random.Next(entries.Count)].Field);
            return;
        }
        var picks = RandomPicks.Indexes(entries.Count, count, ctx.Random);
        if (withValues && ctx.Reply.Protocol == RespProtocol.Resp3)
        {
            ctx.Reply.WriteArrayHeader(picks.Length);
            foreach (var i in picks)
            {
                ctx.Reply.WriteArrayHeader(2);
                ctx.Reply.WriteBulk(entries[i].Field);
                ctx.Reply.WriteBulk(entries[i].Value);
            }
            return;
        }
        ctx.Reply.WriteArrayHeader(withValues ? picks.Length * 2 : picks.Length);
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
        if (!ScanOptions.TryParse(ref ctx, 2, allowType: false, out var options))
        {
            return;
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var hash, out var wrongType))
        {
            if (!wrongType)
            {
                ScanCommand.WriteEmpty(ref ctx);
            }
            return;
        }
        ScanCommand.ScanMembers(ref ctx, hash, options, ScanValues.Payload);
    }

    private static List<(byte[] Field, byte[] Value)> ReadAll(ref CommandContext ctx, in OpenCollection hash)
    {
        var entries = new List<(byte[] Field, byte[] Value)>((int)Math.Min(hash.Count, 1 << 20));
        using var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, hash.Id, Collections.PrimarySpace, default, out var more);
        for (; more && RedisKeyspace.IsInSpace(cursor.Key, hash.Id, Collections.PrimarySpace); more = cursor.Next())
        {
            var field = RedisKeyspace.MemberAndPayload(cursor.Key, cursor.Value, out var value);
            entries.Add((field.ToArray(), value.ToArray()));
        }
        return entries;
    }
}
