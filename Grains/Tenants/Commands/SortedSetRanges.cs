using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>A score bound: "1.5", "(1.5" (exclusive), "-inf", "+inf".</summary>
internal readonly record struct ScoreBound(double Value, bool Exclusive)
{
    public static bool TryParse(ReadOnlySpan<byte> s, out ScoreBound bound)
    {
        var exclusive = s.Length > 0 && s[0] == (byte)'(';
        if (exclusive)
        {
            s = s[1..];
        }
        if (!Args.TryParseDouble(s, out var value))
        {
            bound = default;
            return false;
        }
        bound = new ScoreBound(value, exclusive);
        return true;
    }

    public bool AtMost(double score) => Exclusive ? score < Value : score <= Value;

    public bool AtLeast(double score) => Exclusive ? score > Value : score >= Value;
}

/// <summary>A lex bound: "-", "+", "[a" (inclusive), "(a" (exclusive).</summary>
internal readonly record struct LexBound(byte[] Value, bool Exclusive, int Infinity)
{
    public static bool TryParse(ReadOnlySpan<byte> s, out LexBound bound)
    {
        bound = default;
        if (s.Length == 1 && s[0] == (byte)'-')
        {
            bound = new LexBound([], false, -1);
            return true;
        }
        if (s.Length == 1 && s[0] == (byte)'+')
        {
            bound = new LexBound([], false, 1);
            return true;
        }
        if (s.Length == 0 || (s[0] != (byte)'[' && s[0] != (byte)'('))
        {
            return false;
        }
        bound = new LexBound(s[1..].ToArray(), s[0] == (byte)'(', 0);
        return true;
    }

    /// <summary>True when <paramref name="member"/> is at or above this bound taken as a minimum.</summary>
    public bool AllowsFromBelow(ReadOnlySpan<byte> member)
    {
        if (Infinity != 0)
        {
            return Infinity < 0;
        }
        var c = member.SequenceCompareTo(Value);
        return Exclusive ? c > 0 : c >= 0;
    }

    /// <summary>True when <paramref name="member"/> is at or below this bound taken as a maximum.</summary>
    public bool AllowsFromAbove(ReadOnlySpan<byte> member)
    {
        if (Infinity != 0)
        {
            return Infinity > 0;
        }
        var c = member.SequenceCompareTo(Value);
        return Exclusive ? c < 0 : c <= 0;
    }
}

internal enum RangeKind
{
    Rank,
    Score,
    Lex,
}

/// <summary>What a ZRANGE-family call asks for, parsed Redis' way.</summary>
internal struct RangeRequest
{
    public RangeKind Kind;
    public bool Reverse;
    public bool WithScores;
    public long Offset;
    public long Limit;
    public long Start;
    public long Stop;
    public ScoreBound MinScore;
    public ScoreBound MaxScore;
    public LexBound MinLex;
    public LexBound MaxLex;

    public static readonly byte[] NotFloatBound = Encoding.ASCII.GetBytes("-ERR min or max is not a float\r\n");
    public static readonly byte[] NotLexBound = Encoding.ASCII.GetBytes("-ERR min or max not valid string range item\r\n");

    /// <summary>Parses the two bounds (given in the order the command takes them). Writes the error and returns false on failure.</summary>
    public bool TryParseBounds(ref CommandContext ctx, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        // With REV the command names the upper bound first.
        var low = Reverse && Kind != RangeKind.Rank ? second : first;
        var high = Reverse && Kind != RangeKind.Rank ? first : second;
        switch (Kind)
        {
            case RangeKind.Rank:
                if (!Args.TryParseInt64(first, out Start) || !Args.TryParseInt64(second, out Stop))
                {
                    ctx.Reply.WriteRaw(Errors.NotInteger);
                    return false;
                }
                return true;
            case RangeKind.Score:
                if (!ScoreBound.TryParse(low, out MinScore) || !ScoreBound.TryParse(high, out MaxScore))
                {
                    ctx.Reply.WriteRaw(NotFloatBound);
                    return false;
                }
                return true;
            default:
                if (!LexBound.TryParse(low, out MinLex) || !LexBound.TryParse(high, out MaxLex))
                {
                    ctx.Reply.WriteRaw(NotLexBound);
                    return false;
                }
                return true;
        }
    }

    /// <summary>Collects the elements in range, in reply order.</summary>
    public readonly List<ScoredMember> Collect(ref CommandContext ctx, in OpenCollection zset)
    {
        var result = new List<ScoredMember>();
        if (Kind == RangeKind.Rank)
        {
            var length = zset.Count;
            long start = Start, stop = Stop;
            if (start < 0)
            {
                start += length;
            }
            if (stop < 0)
            {
                stop += length;
            }
            if (start < 0)
            {
                start = 0;
            }
            if (start > stop || start >= length)
            {
                return result;
            }
            if (stop >= length)
            {
                stop = length - 1;
            }
            var index = 0L;
            SortedSetAccess.Walk(ref ctx, zset.Id, Reverse, m =>
            {
                if (index >= start)
                {
                    result.Add(m);
                }
                index++;
                return index <= stop;
            });
            return result;
        }
        var self = this;
        var skipped = 0L;
        SortedSetAccess.Walk(ref ctx, zset.Id, Reverse, m =>
        {
            bool inRange, pastEnd;
            if (self.Kind == RangeKind.Score)
            {
                inRange = self.MinScore.AtLeast(m.Score) && self.MaxScore.AtMost(m.Score);
                pastEnd = self.Reverse ? !self.MinScore.AtLeast(m.Score) : !self.MaxScore.AtMost(m.Score);
            }
            else
            {
                inRange = self.MinLex.AllowsFromBelow(m.Member) && self.MaxLex.AllowsFromAbove(m.Member);
                pastEnd = self.Reverse ? !self.MinLex.AllowsFromBelow(m.Member) : !self.MaxLex.AllowsFromAbove(m.Member);
            }
            if (pastEnd)
            {
                return false;
            }
            if (!inRange)
            {
                return true;
            }
            if (skipped < self.Offset)
            {
                skipped++;
                return true;
            }
            result.Add(m);
            return self.Limit < 0 || result.Count < self.Limit;
        });
        return result;
    }
}
