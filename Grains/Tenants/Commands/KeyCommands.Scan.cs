using System.Buffers.Text;
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
                var value = new StoredValue(cursor.Value);
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
        if (!Utf8Parser.TryParse(ctx.Arg(1), out ulong cursorId, out var consumed) || consumed != ctx.Arg(1).Length)
        {
            ctx.Reply.WriteRaw(Errors.InvalidCursor);
            return;
        }
        var count = 10L;
        var pattern = ReadOnlySpan<byte>.Empty;
        var hasPattern = false;
        var hasType = false;
        var type = ValueKind.String;
        for (var i = 2; i < ctx.ArgCount; i++)
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
            else if (Args.Is(a, "TYPE"u8) && hasNext)
            {
                // An unknown type name matches nothing, as in Redis 7.0.
                hasType = true;
                if (!ValueKindNames.TryParse(ctx.Arg(++i), out type))
                {
                    type = (ValueKind)255;
                }
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return;
            }
        }
        var resumeAt = cursorId == 0 ? null : ctx.Cursors.Find(ctx.Db, cursorId);
        var keys = new List<byte[]>();
        ulong nextCursor = 0;
        using (var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.KeysOf(ctx.Db)))
        {
            var more = resumeAt is null ? cursor.First() : cursor.SeekAtOrAfter(resumeAt);
            for (var visited = 0L; more; more = cursor.Next(), visited++)
            {
                if (visited == count)
                {
                    nextCursor = ctx.Cursors.Save(ctx.Db, cursor.Key);
                    break;
                }
                var value = new StoredValue(cursor.Value);
                if (value.IsExpired(ctx.NowMs) || (hasType && value.Kind != type))
                {
                    continue;
                }
                var key = RedisKeyspace.DecodeKey(cursor.Key, value);
                if (!hasPattern || Glob.IsMatch(pattern, key))
                {
                    keys.Add(key.ToArray());
                }
            }
        }
        ctx.Reply.WriteArrayHeader(2);
        Span<byte> number = stackalloc byte[24];
        Utf8Formatter.TryFormat(nextCursor, number, out var written);
        ctx.Reply.WriteBulk(number[..written]);
        ctx.Reply.WriteArrayHeader(keys.Count);
        foreach (var key in keys)
        {
            ctx.Reply.WriteBulk(key);
        }
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
            var value = new StoredValue(cursor.Value);
            if (!value.IsExpired(ctx.NowMs))
            {
                ctx.Reply.WriteBulk(RedisKeyspace.DecodeKey(cursor.Key, value));
                return;
            }
        }
        // Mostly expired keys: walk in order for a live one.
        for (var more = cursor.First(); more; more = cursor.Next())
        {
            var value = new StoredValue(cursor.Value);
            if (!value.IsExpired(ctx.NowMs))
            {
                ctx.Reply.WriteBulk(RedisKeyspace.DecodeKey(cursor.Key, value));
                return;
            }
        }
        ctx.Reply.WriteNull();
    }
}
