using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>
/// OBJECT ENCODING, REFCOUNT, IDLETIME, FREQ, HELP. IceFire stores every type the same way, so ENCODING
/// answers with the encoding redis-server 7.0 would use for the same value, which is what tools and
/// tests that read it expect.
/// </summary>
internal static class ObjectCommand
{
    private const int CompactEntries = 128;
    private const int CompactValueBytes = 64;

    public static void Execute(ref CommandContext ctx)
    {
        var sub = ctx.Arg(1);
        if (Args.Is(sub, "HELP"u8) && ctx.ArgCount == 2)
        {
            Help(ref ctx);
            return;
        }
        var known = Args.Is(sub, "ENCODING"u8) || Args.Is(sub, "REFCOUNT"u8) || Args.Is(sub, "IDLETIME"u8) || Args.Is(sub, "FREQ"u8);
        if (!known && !Args.Is(sub, "HELP"u8))
        {
            Replies.Error(ctx.Reply, $"ERR unknown subcommand '{Encoding.UTF8.GetString(sub)}'. Try OBJECT HELP.");
            return;
        }
        if (ctx.ArgCount != (known ? 3 : 2))
        {
            Replies.Error(ctx.Reply, $"ERR wrong number of arguments for 'object|{Encoding.ASCII.GetString(sub).ToLowerInvariant()}' command");
            return;
        }
        if (!ctx.Keyspace.TryGet(ctx.Txn, ctx.Db, ctx.Arg(2), ctx.NowMs, out var value))
        {
            ctx.Reply.WriteNull();
            return;
        }
        if (Args.Is(sub, "ENCODING"u8))
        {
            ctx.Reply.WriteBulk(EncodingOf(ref ctx, value));
        }
        else if (Args.Is(sub, "REFCOUNT"u8))
        {
            // Redis shares the integers 0..9999 and reports them with its "shared" reference count.
            var shared = value.Kind == ValueKind.String && Args.TryParseInt64(value.Payload, out var n) && n is >= 0 and < 10000;
            ctx.Reply.WriteInteger(shared ? int.MaxValue : 1);
        }
        else if (Args.Is(sub, "IDLETIME"u8))
        {
            ctx.Reply.WriteInteger(0);
        }
        else
        {
            ctx.Reply.WriteRaw("-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"u8);
        }
    }

    private static ReadOnlySpan<byte> EncodingOf(ref CommandContext ctx, in StoredValue value)
    {
        switch (value.Kind)
        {
            case ValueKind.String:
                if (value.Payload.Length <= 20 && Args.TryParseInt64(value.Payload, out _))
                {
                    return "int"u8;
                }
                return value.Payload.Length <= 44 ? "embstr"u8 : "raw"u8;
            case ValueKind.List:
                return "quicklist"u8;
            case ValueKind.Set:
            {
                var set = CollectionHeader.Read(value.Payload);
                return set.Count <= 512 && AllMembers(ref ctx, set, 0, static (m, _) => Args.TryParseInt64(m, out long _)) ? "intset"u8 : "hashtable"u8;
            }
            case ValueKind.Hash:
            {
                var hash = CollectionHeader.Read(value.Payload);
                return hash.Count <= CompactEntries &&
                    AllMembers(ref ctx, hash, 0, static (m, p) => m.Length <= CompactValueBytes && p.Length <= CompactValueBytes)
                    ? "listpack"u8 : "hashtable"u8;
            }
            case ValueKind.ZSet:
            {
                var zset = CollectionHeader.Read(value.Payload);
                return zset.Count <= CompactEntries && AllMembers(ref ctx, zset, 0, static (m, _) => m.Length <= CompactValueBytes)
                    ? "listpack"u8 : "skiplist"u8;
            }
            default:
                return "stream"u8;
        }
    }

    private delegate bool MemberTest(ReadOnlySpan<byte> member, ReadOnlySpan<byte> payload);

    private static bool AllMembers(ref CommandContext ctx, CollectionHeader collection, byte space, MemberTest test)
    {
        using var cursor = ctx.Keyspace.OpenMembers(ctx.Txn, collection.Id, space, default, out var more);
        for (; more && RedisKeyspace.IsInSpace(cursor.Key, collection.Id, space); more = cursor.Next())
        {
            var member = RedisKeyspace.MemberAndPayload(cursor.Key, cursor.Value, out var payload);
            if (!test(member, payload))
            {
                return false;
            }
        }
        return true;
    }

    private static void Help(ref CommandContext ctx)
    {
        string[] lines =
        [
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help.",
        ];
        ctx.Reply.WriteArrayHeader(lines.Length);
        foreach (var line in lines)
        {
            ctx.Reply.WriteSimpleString(Encoding.ASCII.GetBytes(line));
        }
    }
}
