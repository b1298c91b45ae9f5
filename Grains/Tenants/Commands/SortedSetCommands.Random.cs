using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>ZRANDMEMBER and ZSCAN.</summary>
internal static partial class SortedSetCommands
{
    public static void ZRandMember(ref CommandContext ctx)
    {
        var hasCount = ctx.ArgCount >= 3;
        if (!RandomPicks.TryParseCount(ref ctx, "WITHSCORES"u8, out var count, out var withScores))
        {
            return;
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var zset, out var wrongType))
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
        var size = (int)Math.Min(zset.Count, int.MaxValue);
        if (!hasCount)
        {
            ctx.Reply.WriteBulk(ElementsAt(ref ctx, zset, [ctx.Random.Next(size)])[0].Member);
            return;
        }
        // A positive count asks for distinct members, a negative one for draws that may repeat (RandomPicks).
        WriteMembers(ref ctx, ElementsAt(ref ctx, zset, RandomPicks.Indexes(size, count, ctx.Random)), withScores);
    }

    /// <summary>
    /// The elements at <paramref name="indexes"/> (positions in member order, repeats allowed), in the order
    /// asked: one cursor walk up to the highest index, keeping only the elements picked.
    /// </summary>
    private static List<ScoredMember> ElementsAt(ref CommandContext ctx, in OpenCollection zset, int[] indexes)
    {
        var wanted = (int[])indexes.Clone();
        Array.Sort(wanted);
        var distinct = 0;
        for (var i = 0; i < wanted.Length; i++)
        {
            if (distinct == 0 || wanted[distinct - 1] != wanted[i])
            {
                wanted[distinct++] = wanted[i];
            }
        }
        var found = new ScoredMember[distinct];
        var next = 0;
        var input = new ScoredInput(zset.Id, zset.Count, true, false, 1);
        using (var cursor = input.Open(ref ctx, out var more))
        {
            for (var position = 0; more && next < distinct && input.Holds(cursor); more = cursor.Next(), position++)
            {
                if (position == wanted[next])
                {
                    var member = input.MemberAt(cursor, out var score);
                    found[next++] = new ScoredMember(member.ToArray(), score);
                }
            }
        }
        var result = new List<ScoredMember>(indexes.Length);
        foreach (var index in indexes)
        {
            result.Add(found[Array.BinarySearch(wanted, 0, distinct, index)]);
        }
        return result;
    }

    public static void ZScan(ref CommandContext ctx)
    {
        if (!ScanOptions.TryParse(ref ctx, 2, allowType: false, out var options))
        {
            return;
        }
        if (!Collections.TryOpen(ref ctx, ctx.Arg(1), Kind, out var zset, out var wrongType))
        {
            if (!wrongType)
            {
                ScanCommand.WriteEmpty(ref ctx);
            }
            return;
        }
        if (zset.Count > ScanCommand.CompactSize)
        {
            // Walked by member, whose place does not move when a score changes between calls.
            ScanCommand.ScanMembers(ref ctx, zset, options, ScanValues.Score);
            return;
        }
        // A small sorted set comes back whole and in score order, as Redis returns its listpack.
        var items = new List<byte[]>();
        foreach (var m in SortedSetAccess.ReadAll(ref ctx, zset.Id))
        {
            if (options.Matches(m.Member))
            {
                items.Add(m.Member);
                items.Add(ScanCommand.ScoreText(m.Score));
            }
        }
        ScanCommand.WriteReply(ref ctx, 0, items);
    }
}
