using IceFire.Ledger.Families;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Tests;

/// <summary>What survives closing and opening the store again.</summary>
public sealed class StoreTests
{
    [Fact]
    public void EntriesHeadsOrderAndStateSurviveReopen()
    {
        using var ledger = new TestLedger();
        var set = TestLedger.IntKey("set", "a", 1);
        var first = ledger.Ledger.Append(TestLedger.Nodes[0], "main", [set], out _);
        var side = ledger.Ledger.Append(TestLedger.Nodes[1], "side", [TestLedger.IntKey("set", "b", 2)], out _);
        var second = ledger.Ledger.Append(TestLedger.Nodes[3], "main", [TestLedger.IntKey("inc", "a", 4)], out _);
        Assert.All(new[] { first, side, second }, r => Assert.Equal(AddStatus.Added, r.Status));
        var order = ledger.Ledger.Order();
        var state = ledger.Ledger.State();

        ledger.Reopen();

        Assert.Equal(order, ledger.Ledger.Order());
        Assert.Equal([second.Id], ledger.Ledger.Heads("main"));
        Assert.Equal([side.Id], ledger.Ledger.Heads("side"));
        Assert.Equal(state.Select(s => Convert.ToHexString(s.Address) + Convert.ToHexString(s.Value)),
            ledger.Ledger.State().Select(s => Convert.ToHexString(s.Address) + Convert.ToHexString(s.Value)));
        Assert.Equal([first.Id], ledger.Ledger.EntriesOf(Building.TransactionBuilder.Id(set)));
        // Verification after reopening still knows the nonces and the setup.
        Assert.True(ledger.Ledger.TryGetEntry(first.Id, out var bytes));
        Assert.Equal(AddStatus.Duplicate, ledger.Ledger.Add(bytes).Status);
        var more = ledger.Ledger.Append(TestLedger.Nodes[2], "main", [TestLedger.IntKey("dec", "a", 5)], out _);
        Assert.Equal(AddStatus.Added, more.Status);
        Assert.True(ledger.Ledger.TryGetState(IntKeyHandler.AddressOf("a"), out var stored));
        Assert.True(IntKeyHandler.TryReadValue(stored, "a", out var value));
        Assert.Equal(0ul, value);
    }

    [Fact]
    public void ADirectoryHoldingAnotherLedgerIsRefused()
    {
        using var ledger = new TestLedger();
        ledger.Ledger.Dispose();
        var other = Genesis.Create(Building.SetupBuilder.From(TestLedger.Setup).Family("x", "1").Build(), TestLedger.Nodes[0]);
        Assert.Throws<ArgumentException>(() => DagLedger.Create(ledger.Directory, other, ledger.Options).Dispose());
        ledger.Reopen();
        Assert.Equal(Digest.Of(TestLedger.Genesis), ledger.Ledger.GenesisId);
    }

    [Fact]
    public void OpeningAnEmptyDirectoryIsRefused()
    {
        var path = TestLedger.NewDirectory();
        Assert.Throws<InvalidOperationException>(() => DagLedger.Open(path).Dispose());
    }
}
