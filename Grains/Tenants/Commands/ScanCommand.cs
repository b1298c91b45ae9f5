using System.Buffers.Binary;
using System.Buffers.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>The arguments SCAN, HSCAN, SSCAN and ZSCAN share: a cursor, then MATCH, COUNT and (SCAN only) TYPE.</summary>
internal struct ScanOptions
{
    public ulong Cursor;
    public long Count;
    public byte[]? Pattern;
    public bool HasType;
    public ValueKind Type;

    public readonly bool Matches(ReadOnlySpan<byte> item) => Pattern is null || Glob.IsMatch(Pattern, item);

    /// <summary>Parses the cursor at <paramref name="cursorIndex"/> and the options after it; writes Redis' error and returns false on bad input.</summary>
    public static bool TryParse(ref CommandContext ctx, int cursorIndex, bool allowType, out ScanOptions options)
    {
        options = new ScanOptions { Count = 10 };
        var cursorArg = ctx.Arg(cursorIndex);
        if (!Utf8Parser.TryParse(cursorArg, out options.Cursor, out var consumed) || consumed != cursorArg.Length)
        {
            ctx.Reply.WriteRaw(Errors.InvalidCursor);
            return false;
        }
        for (var i = cursorIndex + 1; i < ctx.ArgCount; i++)
        {
            var a = ctx.Arg(i);
            var hasNext = i + 1 < ctx.ArgCount;
            if (Args.Is(a, "COUNT"u8) && hasNext)
            {
                if (!Args.TryParseInt64(ctx.Arg(++i), out options.Count))
                {
                    ctx.Reply.WriteRaw(Errors.NotInteger);
                    return false;
                }
                if (options.Count < 1)
                {
                    ctx.Reply.WriteRaw(Errors.Syntax);
                    return false;
                }
            }
            else if (Args.Is(a, "MATCH"u8) && hasNext)
            {
                var pattern = ctx.Arg(++i);
                // "*" matches everything: no pattern to test.
                options.Pattern = pattern.Length == 1 && pattern[0] == (byte)'*' ? null : pattern.ToArray();
            }
            else if (allowType && Args.Is(a, "TYPE"u8) && hasNext)
            {
                // An unknown type name matches nothing, as in Redis 7.0.
                options.HasType = true;
                if (!ValueKindNames.TryParse(ctx.Arg(++i), out options.Type))
                {
                    options.Type = (ValueKind)255;
                }
            }
            else
            {
                ctx.Reply.WriteRaw(Errors.Syntax);
                return false;
            }
        }
        return true;
    }
}

/// <summary>What a collection scan returns beside each member.</summary>
internal enum ScanValues
{
    /// <summary>Members only (SSCAN).</summary>
    None,

    /// <summary>Each member's stored value (HSCAN).</summary>
    Payload,

    /// <summary>Each member's score, as the string Redis prints for it (ZSCAN).</summary>
    Score,
}

/// <summary>The reply and the member walk the scan commands share.</summary>
internal static class ScanCommand
{
    /// <summary>Collections up to this size answer in one call with cursor 0, as Redis does for its compact encodings.</summary>
    public const long CompactSize = 128;

    /// <summary>Writes [next cursor, [items...]].</summary>
    public static void WriteReply(ref CommandContext ctx, ulong next, List<byte[]> items)
    {
        ctx.Reply.WriteArrayHeader(2);
        Span<byte> number = stackalloc byte[24];
        Utf8Formatter.TryFormat(next, number, out var written);
        ctx.Reply.WriteBulk(number[..written]);
        ctx.Reply.WriteArrayHeader(items.Count);
        foreach (var item in items)
        {
            ctx.Reply.WriteBulk(item);
        }
    }

    /// <summary>A score as ZSCAN returns it: a bulk string in Redis' "%.17g" form, in RESP3 too.</summary>
    public static byte[] ScoreText(double score)
    {
        Span<byte> text = stackalloc byte[RedisDouble.MaxLength];
        return text[..RedisDouble.Format(score, text)].ToArray();
    }

    /// <summary>The reply to a scan of a missing key: cursor 0 and nothing.</summary>
    public static void WriteEmpty(ref CommandContext ctx) => WriteReply(ref ctx, 0, []);

    /// <summary>
    /// HSCAN, SSCAN and ZSCAN: walks up to COUNT members of <paramref name="collection"/> from where the cursor
    /// stopped, adding each matching member (and, for hashes and sorted sets, its value or score) to the reply.
    /// </summary>
    public static void ScanMembers(ref CommandContext ctx, in OpenCollection collection, in ScanOptions options, ScanValues values)
    {
        // Cursor numbers of collection scans live beside SCAN's in the same table, under their own namespace.
        var scope = 1000 + ctx.Db;
        var resumeAt = options.Cursor == 0 ? null : ctx.Cursors.Find(scope, options.Cursor);
        var count = options.Count;
        if (collection.Count <= CompactSize)
        {
            count = long.MaxValue;
            resumeAt = null;
        }
        var found = new List<byte[]>();
        ulong next = 0;
        const byte Space = Collections.PrimarySpace;
        using (var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.MembersDatabase))
        {
            var more = resumeAt is not null && RedisKeyspace.IsInSpace(resumeAt, collection.Id, Space)
                ? cursor.SeekAtOrAfter(resumeAt)
                : ctx.Keyspace.SeekMembers(cursor, collection.Id, Space);
            for (var visited = 0L; more && RedisKeyspace.IsInSpace(cursor.Key, collection.Id, Space); more = cursor.Next(), visited++)
            {
                if (visited == count)
                {
                    next = ctx.Cursors.Save(scope, cursor.Key);
                    break;
                }
                var member = RedisKeyspace.MemberAndPayload(cursor.Key, cursor.Value, out var payload);
                if (options.Matches(member))
                {
                    found.Add(member.ToArray());
                    if (values == ScanValues.Payload)
                    {
                        found.Add(payload.ToArray());
                    }
                    else if (values == ScanValues.Score)
                    {
                        found.Add(ScoreText(BinaryPrimitives.ReadDoubleLittleEndian(payload)));
                    }
                }
            }
        }
        WriteReply(ref ctx, next, found);
    }
}
