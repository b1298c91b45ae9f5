using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

internal static partial class KeyCommands
{
    public static void Keys(ref CommandContext ctx)
    {
        var pattern = ctx.Arg(1);
        var prefix = Glob.LiteralPrefix(pattern);
        var matchAll = pattern.Length == 1 && pattern[0] == (byte)'*';
        var keys = new List<byte[]>();
        using (var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.KeysOf(ctx.Db)))
        {
            var more = prefix.IsEmpty ? cursor.First() : cursor.SeekAtOrAfter(prefix[..Math.Min(prefix.Length, KeyEncoding.MaxInlineKey)]);
            for (; more; more = cursor.Next())
            {
                var encoded = cursor.Key;
                // Only an encoding's first MaxInlineKey bytes are key bytes; a hashed key continues with its hash.
                var comparable = Math.Min(prefix.Length, Math.Min(encoded.Length, KeyEncoding.MaxInlineKey));
                if (!prefix.IsEmpty && !encoded.StartsWith(prefix[..comparable]))
                {
                    break;
                }
                var value = StoredValue.Read(cursor.Key, cursor.Value, ctx.Db);
                if (value.IsExpired(ctx.NowMs))
                {
                    continue;
                }
                var key = RedisKeyspace.DecodeKey(encoded, value);
                if (matchAll || Glob.IsMatch(pattern, key))
                {
                    keys.Add(key.ToArray());
                }
            }
        }
        ctx.Reply.WriteArrayHeader(keys.Count);
        foreach (var key in keys)
        {
            ctx.Reply.WriteBulk(key);
        }
    }

    public static void Scan(ref CommandContext ctx)
    {
        if (!ScanOptions.TryParse(ref ctx, 1, allowType: true, out var options))
        {
            return;
        }
        var resumeAt = options.Cursor == 0 ? null : ctx.Cursors.Find(ctx.Db, options.Cursor);
        var keys = new List<byte[]>();
        ulong nextCursor = 0;
        using (var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.KeysOf(ctx.Db)))
        {
            var more = resumeAt is null ? cursor.First() : cursor.SeekAtOrAfter(resumeAt);
            for (var visited = 0L; more; more = cursor.Next(), visited++)
            {
                if (visited == options.Count)
                {
                    nextCursor = ctx.Cursors.Save(ctx.Db, cursor.Key);
                    break;
                }
                var value = StoredValue.Read(cursor.Key, cursor.Value, ctx.Db);
                if (value.IsExpired(ctx.NowMs) || (options.HasType && value.Kind != options.Type))
                {
                    continue;
                }
                var key = RedisKeyspace.DecodeKey(cursor.Key, value);
                if (options.Matches(key))
                {
                    keys.Add(key.ToArray());
                }
            }
        }
        ScanCommand.WriteReply(ref ctx, nextCursor, keys);
    }

    public static void RandomKey(ref CommandContext ctx)
    {
        using var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.KeysOf(ctx.Db));
        if (!cursor.First())
        {
            ctx.Reply.WriteNull();
            return;
        }
        Span<byte> probe = stackalloc byte[8];
        for (var attempt = 0; attempt < 100; attempt++)
        {
            Random.Shared.NextBytes(probe);
            if (!cursor.SeekAtOrAfter(probe) && !cursor.First())
            {
                break;
            }
            var value = StoredValue.Read(cursor.Key, cursor.Value, ctx.Db);
            if (!value.IsExpired(ctx.NowMs))
            {
                ctx.Reply.WriteBulk(RedisKeyspace.DecodeKey(cursor.Key, value));
                return;
            }
        }
        // Mostly expired keys: walk in order for a live one.
        for (var more = cursor.First(); more; more = cursor.Next())
        {
            var value = StoredValue.Read(cursor.Key, cursor.Value, ctx.Db);
            if (!value.IsExpired(ctx.NowMs))
            {
                ctx.Reply.WriteBulk(RedisKeyspace.DecodeKey(cursor.Key, value));
                return;
            }
        }
        ctx.Reply.WriteNull();
    }
}
