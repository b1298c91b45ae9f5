using System.Buffers.Binary;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>One element of a sorted set, copied out of the map.</summary>
internal readonly record struct ScoredMember(byte[] Member, double Score);

/// <summary>
/// Sorted-set storage: space 0 maps member to score (8 bytes); space 1 holds [score, sortable:8][member]
/// with no payload, so score order is key order and a score range is one seek and a walk.
/// </summary>
internal static class SortedSetAccess
{
    public const byte ScoreSpace = 0;
    public const byte OrderSpace = 1;

    /// <summary>Encodes a score so that unsigned byte order is numeric order (-inf first, +inf last).</summary>
    public static void EncodeScore(double score, Span<byte> destination)
    {
        if (score == 0)
        {
            score = 0; // -0 and 0 are one score.
        }
        var bits = (ulong)BitConverter.DoubleToInt64Bits(score);
        bits = (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
        BinaryPrimitives.WriteUInt64BigEndian(destination, bits);
    }

    public static double DecodeScore(ReadOnlySpan<byte> source)
    {
        var bits = BinaryPrimitives.ReadUInt64BigEndian(source);
        bits = (bits & 0x8000_0000_0000_0000UL) != 0 ? bits & 0x7FFF_FFFF_FFFF_FFFFUL : ~bits;
        return BitConverter.Int64BitsToDouble((long)bits);
    }

    public static bool TryGetScore(ref CommandContext ctx, long id, ReadOnlySpan<byte> member, out double score)
    {
        if (ctx.Keyspace.TryGetMember(ctx.Txn, id, ScoreSpace, member, out var raw))
        {
            score = BinaryPrimitives.ReadDoubleLittleEndian(raw);
            return true;
        }
        score = 0;
        return false;
    }

    /// <summary>Sets a member's score; true when the member is new.</summary>
    public static bool SetScore(ref CommandContext ctx, long id, ReadOnlySpan<byte> member, double score)
    {
        var exists = TryGetScore(ref ctx, id, member, out var old);
        if (exists && old == score)
        {
            return false;
        }
        ReplaceScore(ref ctx, id, member, exists, old, score);
        return !exists;
    }

    /// <summary>
    /// Sets the score of a member the caller has just looked up (<paramref name="exists"/>, with score
    /// <paramref name="old"/>): moves its score-order entry and rewrites its score, with no second lookup.
    /// </summary>
    public static void ReplaceScore(ref CommandContext ctx, long id, ReadOnlySpan<byte> member, bool exists, double old, double score)
    {
        var rented = member.Length > 256 ? new byte[8 + member.Length] : null;
        Span<byte> entry = rented ?? stackalloc byte[8 + 256];
        entry = entry[..(8 + member.Length)];
        member.CopyTo(entry[8..]);
        if (exists)
        {
            EncodeScore(old, entry);
            ctx.Keyspace.DeleteMember(ctx.Writer, id, OrderSpace, entry);
        }
        Span<byte> raw = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(raw, score == 0 ? 0 : score);
        ctx.Keyspace.SetMember(ctx.Writer, id, ScoreSpace, member, raw);
        EncodeScore(score, entry);
        ctx.Keyspace.SetMember(ctx.Writer, id, OrderSpace, entry, default);
    }

    /// <summary>Removes a member; true when it was there.</summary>
    public static bool Remove(ref CommandContext ctx, long id, ReadOnlySpan<byte> member)
    {
        if (!TryGetScore(ref ctx, id, member, out var score))
        {
            return false;
        }
        ctx.Keyspace.DeleteMember(ctx.Writer, id, ScoreSpace, member);
        DeleteOrder(ref ctx, id, member, score);
        return true;
    }

    private static void DeleteOrder(ref CommandContext ctx, long id, ReadOnlySpan<byte> member, double score) =>
        ctx.Keyspace.DeleteMember(ctx.Writer, id, OrderSpace, OrderEntry(score, member));

    private static byte[] OrderEntry(double score, ReadOnlySpan<byte> member)
    {
        var entry = new byte[8 + member.Length];
        EncodeScore(score, entry);
        member.CopyTo(entry.AsSpan(8));
        return entry;
    }

    /// <summary>
    /// Walks the set in score order (or reverse) from its first (or last) element, calling
    /// <paramref name="visit"/> until it returns false.
    /// </summary>
    public static void Walk(ref CommandContext ctx, long id, bool reverse, Func<ScoredMember, bool> visit)
    {
        using var cursor = ctx.Txn.OpenCursor(ctx.Keyspace.MembersDatabase);
        bool more;
        if (!reverse)
        {
            more = ctx.Keyspace.SeekMembers(cursor, id, OrderSpace);
        }
        else
        {
            // The last entry of space 1 sits just before the first key of space 2 (or at the very end).
            Span<byte> after = stackalloc byte[9];
            BinaryPrimitives.WriteInt64BigEndian(after, id);
            after[8] = OrderSpace + 1;
            more = cursor.SeekAtOrAfter(after) ? cursor.Prev() : cursor.Last();
            more = more && RedisKeyspace.IsInSpace(cursor.Key, id, OrderSpace);
        }
        while (more && RedisKeyspace.IsInSpace(cursor.Key, id, OrderSpace))
        {
            var entry = RedisKeyspace.MemberOf(cursor.Key, cursor.Value);
            if (!visit(new ScoredMember(entry[8..].ToArray(), DecodeScore(entry))))
            {
                return;
            }
            more = reverse ? cursor.Prev() : cursor.Next();
        }
    }

    /// <summary>Every element in score order.</summary>
    public static List<ScoredMember> ReadAll(ref CommandContext ctx, long id)
    {
        var all = new List<ScoredMember>();
        Walk(ref ctx, id, reverse: false, m =>
        {
            all.Add(m);
            return true;
        });
        return all;
    }
}
