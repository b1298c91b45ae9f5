using FsCheck;
using FsCheck.Fluent;

namespace IceFire.Raft.Tests.Linearizability;

/// <summary>The checker must accept every linearizable register history and reject the classic violations.</summary>
public sealed class LinearizabilityCheckerTests
{
    private static Operation W(int p, long v, long inv, long ret, int key = 0) => new(p, OpKind.Write, key, v, inv, ret);

    private static Operation R(int p, long? v, long inv, long ret, int key = 0) => new(p, OpKind.Read, key, v, inv, ret);

    private static Operation I(int p, long? v, long inv, long ret, int key = 0) => new(p, OpKind.Increment, key, v, inv, ret);

    private static Verdict Check(params Operation[] ops) => LinearizabilityChecker.Check(ops).Verdict;

    [Fact]
    public void SequentialHistoryIsLinearizable() =>
        Assert.Equal(Verdict.Linearizable, Check(R(0, null, 1, 2), W(0, 1, 3, 4), R(1, 1, 5, 6), W(1, 2, 7, 8), R(0, 2, 9, 10)));

    [Fact]
    public void ConcurrentReadMayReturnEitherValue()
    {
        Assert.Equal(Verdict.Linearizable, Check(W(0, 1, 1, 10), R(1, 1, 2, 3)));
        Assert.Equal(Verdict.Linearizable, Check(W(0, 1, 1, 10), R(1, null, 2, 3)));
    }

    [Fact]
    public void StaleReadAfterACompletedWriteIsRejected() =>
        Assert.Equal(Verdict.NotLinearizable, Check(W(0, 1, 1, 2), R(1, null, 3, 4)));

    [Fact]
    public void ReadOfAValueNeverWrittenIsRejected() =>
        Assert.Equal(Verdict.NotLinearizable, Check(W(0, 1, 1, 2), R(1, 9, 3, 4)));

    [Fact]
    public void ReadsObservingWritesInTwoOrdersAreRejected()
    {
        // Two concurrent writes; one reader sees 1 then 2, another, strictly later, sees 2 then 1.
        Assert.Equal(Verdict.NotLinearizable, Check(
            W(0, 1, 1, 20), W(1, 2, 1, 20),
            R(2, 1, 2, 3), R(2, 2, 4, 5),
            R(3, 2, 6, 7), R(3, 1, 8, 9)));
    }

    [Fact]
    public void NewValueThenOldValueIsRejected() =>
        Assert.Equal(Verdict.NotLinearizable, Check(W(0, 1, 1, 2), W(0, 2, 3, 10), R(1, 2, 4, 5), R(2, 1, 6, 7)));

    [Fact]
    public void PendingWriteMayTakeEffectLateOrNever()
    {
        Assert.Equal(Verdict.Linearizable, Check(W(0, 1, 1, long.MaxValue), R(1, null, 2, 3), R(1, 1, 4, 5)));
        Assert.Equal(Verdict.Linearizable, Check(W(0, 1, 1, long.MaxValue), R(1, null, 2, 3)));
        Assert.Equal(Verdict.NotLinearizable, Check(W(0, 1, 1, long.MaxValue), R(1, 1, 2, 3), R(1, null, 4, 5)));
    }

    [Fact]
    public void IncrementsFollowTheValueTheyAreOrderedAfter()
    {
        Assert.Equal(Verdict.Linearizable, Check(I(0, 1, 1, 2), W(1, 10, 3, 4), I(0, 11, 5, 6), R(1, 11, 7, 8)));
        // Two concurrent increments of an absent key return 1 and 2, in either order.
        Assert.Equal(Verdict.Linearizable, Check(I(0, 2, 1, 5), I(1, 1, 2, 6), R(2, 2, 7, 8)));
        // Both returning 1 means one increment was lost.
        Assert.Equal(Verdict.NotLinearizable, Check(I(0, 1, 1, 5), I(1, 1, 2, 6)));
        // An increment after a completed write must see it.
        Assert.Equal(Verdict.NotLinearizable, Check(W(0, 10, 1, 2), I(1, 1, 3, 4)));
    }

    [Fact]
    public void AnIncrementOfUnknownOutcomeMayHaveHappened()
    {
        Assert.Equal(Verdict.Linearizable, Check(W(0, 5, 1, 2), I(1, null, 3, long.MaxValue), R(2, 6, 4, 5)));
        Assert.Equal(Verdict.Linearizable, Check(W(0, 5, 1, 2), I(1, null, 3, long.MaxValue), R(2, 5, 4, 5)));
        Assert.Equal(Verdict.NotLinearizable, Check(W(0, 5, 1, 2), I(1, null, 3, long.MaxValue), R(2, 7, 4, 5)));
    }

    [Fact]
    public void KeysAreCheckedIndependently()
    {
        var result = LinearizabilityChecker.Check([W(0, 1, 1, 2, key: 0), R(1, 1, 3, 4, key: 0), W(0, 5, 1, 2, key: 1), R(1, null, 3, 4, key: 1)]);
        Assert.Equal(Verdict.NotLinearizable, result.Verdict);
        Assert.Equal(1, result.Key);
    }

    [Fact]
    public void RandomSequentialHistoriesAreAccepted()
    {
        // Property: any history produced by a real register executing operations one at a time is linearizable,
        // also after stretching each operation's interval so that neighbours overlap.
        Prop.ForAll<int>(seed =>
        {
            var rng = new Random(seed);
            var ops = new List<Operation>();
            long? value = null;
            for (var i = 0; i < 40; i++)
            {
                var at = i * 10L;
                var inv = at - rng.Next(0, 15);
                var ret = at + rng.Next(0, 15);
                if (rng.Next(2) == 0) { value = i + 1; ops.Add(W(i % 4, i + 1, inv, ret)); }
                else ops.Add(R(i % 4, value, inv, ret));
            }

            return LinearizabilityChecker.Check(ops).Verdict == Verdict.Linearizable;
        }).QuickCheckThrowOnFailure();
    }
}
