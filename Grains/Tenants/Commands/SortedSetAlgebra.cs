using System.Buffers.Binary;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>How ZUNION and ZINTER combine the weighted scores one member has in several inputs.</summary>
internal enum ScoreAggregate
{
    Sum,
    Min,
    Max,
}

/// <summary>
/// One input of ZUNION, ZINTER, ZDIFF or ZINTERCARD: a sorted set, a set (whose members all score 1, as
/// Redis counts them) or a missing key (an empty input).
/// </summary>
internal readonly record struct ScoredInput(long Id, long Count, bool Exists, bool IsSet, double Weight)
{
    /// <summary>The score of <paramref name="member"/> in this input, unweighted; false when it is not there.</summary>
    public bool TryFind(ref CommandContext ctx, ReadOnlySpan<byte> member, out double score)
    {
        score = 0;
        if (!Exists || !ctx.Keyspace.TryGetMember(ctx.Txn, Id, Collections.PrimarySpace, member, out var payload))
        {
            return false;
        }
        score = IsSet ? 1 : BinaryPrimitives.ReadDoubleLittleEndian(payload);
        return true;
    }

    /// <summary>Opens a cursor on the input's members (member order); false when there are none.</summary>
    public LmdbCursor Open(ref CommandContext ctx, out bool positioned) =>
        ctx.Keyspace.OpenMembers(ctx.Txn, Id, Collections.PrimarySpace, default, out positioned);

    /// <summary>True while <paramref name="cursor"/> stands on one of this input's members.</summary>
    public bool Holds(LmdbCursor cursor) => RedisKeyspace.IsInSpace(cursor.Key, Id, Collections.PrimarySpace);

    /// <summary>The member the cursor stands on and its unweighted score, with one check of the entry's checksum.</summary>
    public ReadOnlySpan<byte> MemberAt(LmdbCursor cursor, out double score)
    {
        var member = RedisKeyspace.MemberAndPayload(cursor.Key, cursor.Value, out var payload);
        score = IsSet ? 1 : BinaryPrimitives.ReadDoubleLittleEndian(payload);
        return member;
    }
}

/// <summary>
/// The algebra of ZUNION, ZINTER, ZDIFF (and their STORE forms) and ZINTERCARD, following Redis'
/// zunionInterDiffGenericCommand: inputs are walked with cursors and probed by member, never loaded whole;
/// only the result (and, for a union, the running scores) lives in memory.
/// </summary>
internal static class SortedSetAlgebra
{
    /// <summary>
    /// Union and intersection visit the inputs from the smallest to the largest, as Redis does (its qsort by
    /// cardinality is glibc's stable merge sort), so a member's weighted scores are summed in Redis' order and
    /// floating-point sums, and inf + -inf turning into 0, come out the same.
    /// </summary>
    public static ScoredInput[] SmallestFirst(ScoredInput[] inputs)
    {
        var sorted = (ScoredInput[])inputs.Clone();
        for (var i = 1; i < sorted.Length; i++)
        {
            var current = sorted[i];
            var j = i - 1;
            for (; j >= 0 && sorted[j].Count > current.Count; j--)
            {
                sorted[j + 1] = sorted[j];
            }
            sorted[j + 1] = current;
        }
        return sorted;
    }

    /// <summary>Redis' zunionInterAggregate: a sum that is NaN (inf + -inf) becomes 0; MIN and MAX keep the target over a NaN.</summary>
    public static void Aggregate(ref double target, double value, ScoreAggregate aggregate)
    {
        switch (aggregate)
        {
            case ScoreAggregate.Sum:
                target += value;
                if (double.IsNaN(target))
                {
                    target = 0;
                }
                break;
            case ScoreAggregate.Min:
                target = value < target ? value : target;
                break;
            default:
                target = value > target ? value : target;
                break;
        }
    }

    /// <summary>The weighted score a member starts with; 0 for NaN (inf * 0), as Redis does.</summary>
    private static double Weighted(double score, double weight)
    {
        var weighted = score * weight;
        return double.IsNaN(weighted) ? 0 : weighted;
    }

    public static List<ScoredMember> Union(ref CommandContext ctx, ScoredInput[] inputs, ScoreAggregate aggregate)
    {
        var scores = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
        var order = new List<byte[]>();
        foreach (var input in SmallestFirst(inputs))
        {
            if (input.Count == 0)
            {
                continue;
            }
            using var cursor = input.Open(ref ctx, out var more);
            for (; more && input.Holds(cursor); more = cursor.Next())
            {
                var member = input.MemberAt(cursor, out var unweighted).ToArray();
                var score = Weighted(unweighted, input.Weight);
                if (scores.TryGetValue(member, out var total))
                {
                    Aggregate(ref total, score, aggregate);
                    scores[member] = total;
                }
                else
                {
                    scores.Add(member, score);
                    order.Add(member);
                }
            }
        }
        var result = new List<ScoredMember>(order.Count);
        foreach (var member in order)
        {
            result.Add(new ScoredMember(member, scores[member]));
        }
        return SortByScore(result);
    }

    /// <summary>
    /// Walks the smallest input and probes the others for each of its members. With
    /// <paramref name="countOnly"/> (ZINTERCARD) nothing is collected and the walk stops at
    /// <paramref name="limit"/> matches; the count is returned in <paramref name="count"/>.
    /// </summary>
    public static List<ScoredMember> Intersect(ref CommandContext ctx, ScoredInput[] inputs, ScoreAggregate aggregate, bool countOnly,
        long limit, out long count)
    {
        var result = new List<ScoredMember>();
        count = 0;
        var sorted = SmallestFirst(inputs);
        // Sorted by size, an empty (or missing) input comes first, and then the intersection is empty.
        if (sorted[0].Count == 0)
        {
            return result;
        }
        var smallest = sorted[0];
        using var cursor = smallest.Open(ref ctx, out var more);
        for (; more && smallest.Holds(cursor); more = cursor.Next())
        {
            var member = smallest.MemberAt(cursor, out var unweighted);
            var score = Weighted(unweighted, smallest.Weight);
            var inAll = true;
            for (var j = 1; j < sorted.Length && inAll; j++)
            {
                inAll = sorted[j].TryFind(ref ctx, member, out var other);
                if (inAll && !countOnly)
                {
                    // Unlike the first score, a later product is not checked for NaN: Aggregate handles it.
                    Aggregate(ref score, other * sorted[j].Weight, aggregate);
                }
            }
            if (!inAll)
            {
                continue;
            }
            count++;
            if (countOnly)
            {
                if (limit > 0 && count >= limit)
                {
                    break;
                }
                continue;
            }
            result.Add(new ScoredMember(member.ToArray(), score));
        }
        return SortByScore(result);
    }

    /// <summary>The members of the first input found in none of the others, with their own scores (ZDIFF takes no weights).</summary>
    public static List<ScoredMember> Difference(ref CommandContext ctx, ScoredInput[] inputs)
    {
        var result = new List<ScoredMember>();
        var first = inputs[0];
        if (first.Count == 0)
        {
            return result;
        }
        using var cursor = first.Open(ref ctx, out var more);
        for (; more && first.Holds(cursor); more = cursor.Next())
        {
            var member = first.MemberAt(cursor, out var score);
            var elsewhere = false;
            for (var j = 1; j < inputs.Length && !elsewhere; j++)
            {
                elsewhere = inputs[j].TryFind(ref ctx, member, out _);
            }
            if (!elsewhere)
            {
                result.Add(new ScoredMember(member.ToArray(), score));
            }
        }
        return SortByScore(result);
    }

    /// <summary>Sorted-set order: by score, then by member bytes (-0 and 0 are one score).</summary>
    private static List<ScoredMember> SortByScore(List<ScoredMember> members)
    {
        members.Sort(static (a, b) =>
        {
            var byScore = a.Score.CompareTo(b.Score);
            return byScore != 0 ? byScore : a.Member.AsSpan().SequenceCompareTo(b.Member);
        });
        return members;
    }
}
