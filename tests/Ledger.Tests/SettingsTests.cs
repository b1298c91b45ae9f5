using Google.Protobuf;
using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Families;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Tests;

/// <summary>Setup changes through the settings family: a majority of the allowed keys, the next sequence, this ledger.</summary>
public sealed class SettingsTests : IDisposable
{
    private static readonly ISigningKey NewNode = Ed25519Scheme.Instance.Generate();

    private readonly TestLedger _ledger = new();

    private DagLedger Ledger => _ledger.Ledger;

    private static Setup Next(ulong sequence = 1) => SetupBuilder.From(TestLedger.Setup).Allow(NewNode).Build(sequence);

    [Fact]
    public void AChangeWithoutAMajorityIsRefused()
    {
        // Four keys are allowed: two approvals are half, not a majority.
        var change = SettingsFamily.Transaction(TestLedger.Client, Next(), TestLedger.Nodes.Take(2));
        var result = Ledger.Add(Entries.Next(Ledger, change));
        Assert.Equal(AddStatus.Rejected, result.Status);
        Assert.Equal(RejectReason.SettingsQuorum, result.Rejection.Reason);
        Assert.Equal(1, Ledger.Counters.Rejected(RejectReason.SettingsQuorum));
        Assert.Equal(0ul, Ledger.CurrentSetup().Sequence);
    }

    [Fact]
    public void ApprovalsByKeysNotAllowedOrWithBadSignaturesDoNotCount()
    {
        using var strangerA = Ed25519Scheme.Instance.Generate();
        using var strangerB = Ed25519Scheme.Instance.Generate();
        var change = SettingsFamily.Transaction(TestLedger.Client, Next(), [TestLedger.Nodes[0], TestLedger.Nodes[1], strangerA, strangerB]);
        Assert.Equal(RejectReason.SettingsQuorum, Ledger.Add(Entries.Next(Ledger, change)).Rejection.Reason);

        var payload = SettingsChange.Parser.ParseFrom(SettingsFamily.Payload(Next(), TestLedger.Nodes.Take(3)));
        payload.Approvals[2].Signature = Entries.Flip(payload.Approvals[2].Signature, 0);
        var forged = TransactionBuilder.Create(TestLedger.Client, SettingsFamily.Name, SettingsFamily.Version, payload.ToByteArray(), [], [], [7]);
        Assert.Equal(RejectReason.SettingsQuorum, Ledger.Add(Entries.Next(Ledger, forged)).Rejection.Reason);
    }

    [Fact]
    public void AMajorityChangeTakesEffectForDescendantsOnly()
    {
        var before = Entries.Next(Ledger, "side", NewNode, TestLedger.IntKey("set", "n", 1));
        Assert.Equal(RejectReason.SignerNotAllowed, Ledger.Add(before).Rejection.Reason);

        var change = SettingsFamily.Transaction(TestLedger.Client, Next(), TestLedger.Nodes.Take(3));
        Assert.Equal(AddStatus.Added, Ledger.Add(Entries.Next(Ledger, change)).Status);
        Assert.Equal(1ul, Ledger.CurrentSetup().Sequence);

        // Nest "side" still grows from the genesis, where the new node is not allowed.
        Assert.Equal(RejectReason.SignerNotAllowed, Ledger.Add(Entries.Next(Ledger, "side", NewNode, TestLedger.IntKey("set", "n", 1))).Rejection.Reason);
        // Below the change, it is.
        Assert.Equal(AddStatus.Added, Ledger.Add(Entries.Next(Ledger, "main", NewNode, TestLedger.IntKey("set", "n", 1))).Status);
    }

    [Fact]
    public void AStaleOrForeignChangeIsRefused()
    {
        var change = SettingsFamily.Transaction(TestLedger.Client, Next(), TestLedger.Nodes.Take(3));
        Assert.Equal(AddStatus.Added, Ledger.Add(Entries.Next(Ledger, change)).Status);
        // The same approvals replayed under a new nonce: sequence 1 is no longer next.
        var replay = TransactionBuilder.Create(TestLedger.Client, SettingsFamily.Name, SettingsFamily.Version,
            SettingsFamily.Payload(Next(), TestLedger.Nodes.Take(3)), [], [], [42]);
        Assert.Equal(RejectReason.SettingsInvalid, Ledger.Add(Entries.Next(Ledger, replay)).Rejection.Reason);
        var foreign = new SetupBuilder("another-ledger").Allow(TestLedger.Nodes[0]).Nest("main").Build(2);
        var other = SettingsFamily.Transaction(TestLedger.Client, foreign, TestLedger.Nodes.Take(3));
        Assert.Equal(RejectReason.SettingsInvalid, Ledger.Add(Entries.Next(Ledger, other)).Rejection.Reason);
    }

    [Fact]
    public void ARemovedKeyCanNoLongerAdd()
    {
        var removed = TestLedger.Nodes[3];
        var next = SetupBuilder.From(TestLedger.Setup).Disallow(EntryBuilder.KeyOf(removed)).Build(1);
        var change = SettingsFamily.Transaction(TestLedger.Client, next, TestLedger.Nodes.Take(3));
        Assert.Equal(AddStatus.Added, Ledger.Add(Entries.Next(Ledger, change)).Status);
        var result = Ledger.Add(Entries.Next(Ledger, "main", removed, TestLedger.IntKey("set", "r", 1)));
        Assert.Equal(RejectReason.SignerNotAllowed, result.Rejection.Reason);
        // Now three keys are allowed: two approvals are a majority.
        var third = SettingsFamily.Transaction(TestLedger.Client, SetupBuilder.From(next).Allow(NewNode).Build(2), TestLedger.Nodes.Take(2));
        Assert.Equal(AddStatus.Added, Ledger.Add(Entries.Next(Ledger, third)).Status);
    }

    public void Dispose() => _ledger.Dispose();
}
