using Google.Protobuf;
using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Families;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Tests;

/// <summary>Every kind of tampering is refused with its reason, counted, and leaves nothing behind.</summary>
public sealed class VerificationTests : IDisposable
{
    private readonly TestLedger _ledger = new();

    private DagLedger Ledger => _ledger.Ledger;

    [Fact]
    public void AValidEntryIsAddedAndAppliedOnce()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        var result = Ledger.Add(entry);
        Assert.Equal(AddStatus.Added, result.Status);
        Assert.Equal(Digest.Of(entry), result.Id);
        Assert.Equal(AddStatus.Duplicate, Ledger.Add(entry).Status);
        Assert.Equal([result.Id], Ledger.Heads("main"));
        Assert.Equal([Ledger.GenesisId], Ledger.Heads("side"));
        AssertValue("a", 7);
        Assert.Equal(1, Ledger.Counters.Added);
        Assert.Equal(1, Ledger.Counters.Duplicates);
    }

    [Fact]
    public void APayloadByteChangedInTransitBreaksTheBodyHash()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        var tampered = Entries.Rewrap(entry, e =>
        {
            var body = EntryBody.Parser.ParseFrom(e.Body);
            body.Transactions[0].Payload = Entries.Flip(body.Transactions[0].Payload, 3);
            e.Body = body.ToByteString();
            return e;
        });
        AssertRejected(tampered, RejectReason.BodyHashMismatch);
    }

    [Fact]
    public void APayloadChangedUnderAValidNodeSignatureBreaksThePayloadHash()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        var tampered = Entries.Resign(entry, TestLedger.Nodes[0], (_, body) => body.Transactions[0].Payload = Entries.Flip(body.Transactions[0].Payload, 3));
        AssertRejected(tampered, RejectReason.PayloadHashMismatch);
    }

    [Fact]
    public void AHeaderByteChangedBreaksTheNodeSignature()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        var tampered = Entries.Rewrap(entry, e =>
        {
            var header = e.Header.ToByteArray();
            var at = header.AsSpan().IndexOf("main"u8);
            header[at] = (byte)'s';  // "sain": still a valid header, not the signed one
            e.Header = ByteString.CopyFrom(header);
            return e;
        });
        AssertRejected(tampered, RejectReason.BadEntrySignature);
    }

    [Fact]
    public void ASignatureByteChangedIsRefused()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        AssertRejected(Entries.Rewrap(entry, e => { e.Signature = Entries.Flip(e.Signature, 10); return e; }), RejectReason.BadEntrySignature);
    }

    [Fact]
    public void ATransactionSignatureByteChangedIsRefused()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        var tampered = Entries.Resign(entry, TestLedger.Nodes[0],
            (_, body) => body.Transactions[0].HeaderSignature = Entries.Flip(body.Transactions[0].HeaderSignature, 5));
        AssertRejected(tampered, RejectReason.BadTransactionSignature);
    }

    [Fact]
    public void AParentIdByteChangedIsRefusedOrReportedMissing()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        // Unsigned change: the signature no longer covers the header.
        var forged = Entries.Rewrap(entry, e =>
        {
            var header = EntryHeader.Parser.ParseFrom(e.Header);
            header.Parents[0] = Entries.Flip(header.Parents[0], 31);
            e.Header = header.ToByteString();
            return e;
        });
        AssertRejected(forged, RejectReason.BadEntrySignature);
        // Signed by an allowed node: a parent nobody has; the caller is told to fetch it, and nothing is stored.
        var resigned = Entries.Resign(entry, TestLedger.Nodes[0], (header, _) => header.Parents[0] = Entries.Flip(header.Parents[0], 31));
        var result = Ledger.Add(resigned);
        Assert.Equal(AddStatus.MissingParents, result.Status);
        Assert.Single(result.MissingParents);
        Assert.NotEqual(Ledger.GenesisId, result.MissingParents[0]);
        Assert.False(Ledger.Contains(result.Id));
        Assert.Equal(1, Ledger.Counters.MissingParents);
    }

    [Fact]
    public void ASignerNotAllowedIsRefused()
    {
        using var stranger = Ed25519Scheme.Instance.Generate();
        AssertRejected(Entries.Next(Ledger, "main", stranger, TestLedger.IntKey("set", "a", 7)), RejectReason.SignerNotAllowed);
    }

    [Fact]
    public void AnUnknownFamilyOrVersionIsRefused()
    {
        var unknown = TransactionBuilder.Create(TestLedger.Client, "nosuch", "1.0", [1], [], [], [1]);
        AssertRejected(Entries.Next(Ledger, unknown), RejectReason.UnknownFamily);
        var version = TransactionBuilder.Create(TestLedger.Client, IntKeyHandler.Name, "2.0", [1], [], [], [2]);
        AssertRejected(Entries.Next(Ledger, version), RejectReason.FamilyVersionNotEnabled);
    }

    [Fact]
    public void AFamilyOutsideItsNestOrAnUnknownNestIsRefused()
    {
        AssertRejected(Entries.Next(Ledger, "extra", TestLedger.Nodes[0], TestLedger.IntKey("set", "a", 1)), RejectReason.NestMismatch);
        AssertRejected(Entries.Next(Ledger, "nope", TestLedger.Nodes[0], TestLedger.IntKey("set", "a", 1)), RejectReason.NestMismatch);
    }

    [Fact]
    public void AWrongHeightIsRefused()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        AssertRejected(Entries.Resign(entry, TestLedger.Nodes[0], (header, _) => header.Height = 5), RejectReason.BadHeight);
    }

    [Fact]
    public void AnotherGenesisIsRefused()
    {
        var other = Genesis.Create(SetupBuilder.From(TestLedger.Setup).Family("more", "1.0").Build(), TestLedger.Nodes[0]);
        AssertRejected(other, RejectReason.WrongGenesis);
    }

    [Fact]
    public void AReplayedNonceIsRefused()
    {
        var tx = TestLedger.IntKey("set", "a", 7);
        Assert.Equal(AddStatus.Added, Ledger.Add(Entries.Next(Ledger, tx)).Status);
        // The very same transaction again, in a child.
        AssertRejected(Entries.Next(Ledger, tx), RejectReason.ReplayedNonce);
        // Another transaction under the same signer and nonce.
        var header = TransactionHeader.Parser.ParseFrom(tx.Header);
        var again = IntKeyHandler.Transaction(TestLedger.Client, "inc", "a", 1, header.Nonce.Span);
        AssertRejected(Entries.Next(Ledger, again), RejectReason.ReplayedNonce);
        // Twice in one entry.
        var twice = TestLedger.IntKey("set", "b", 1);
        AssertRejected(Entries.Next(Ledger, twice, twice), RejectReason.ReplayedNonce);
        Assert.Equal(3, Ledger.Counters.Rejected(RejectReason.ReplayedNonce));
        AssertValue("a", 7);
    }

    [Fact]
    public void DependenciesMustBeEarlierOrAncestors()
    {
        var first = TestLedger.IntKey("set", "a", 1);
        var firstId = TransactionBuilder.Id(first);
        var dependent = TransactionBuilder.Create(TestLedger.Client, IntKeyHandler.Name, IntKeyHandler.Version,
            new Families.IntKeyProtocol.IntKeyPayload { Verb = "inc", Name = "a", Value = 1 }.ToByteArray(),
            [State.Addressing.ToHex(IntKeyHandler.AddressOf("a"))], [State.Addressing.ToHex(IntKeyHandler.AddressOf("a"))], [9], [firstId]);
        AssertRejected(Entries.Next(Ledger, dependent), RejectReason.MissingDependency);
        Assert.Equal(AddStatus.Added, Ledger.Add(Entries.Next(Ledger, first, dependent)).Status);
        AssertValue("a", 2);
    }

    [Fact]
    public void ANonCanonicalEntryIsRefusedAndCounted()
    {
        var entry = Entries.Next(Ledger, TestLedger.IntKey("set", "a", 7));
        AssertRejected(entry.Concat(new byte[] { 15 << 3, 1 }).ToArray(), RejectReason.NonCanonical);
    }

    [Fact]
    public void GarbageAndOversizeEntriesAreRefusedAndCounted()
    {
        AssertRejected([0x0A, 0xFF, 0x01], RejectReason.Malformed);
        using var small = new TestLedger(TestLedger.FastOptions with { Limits = new LedgerLimits { MaxTransactionsPerEntry = 2 } });
        var entry = Entries.Next(small.Ledger, TestLedger.IntKey("set", "a", 1), TestLedger.IntKey("set", "b", 1), TestLedger.IntKey("set", "c", 1));
        var result = small.Ledger.Add(entry);
        Assert.Equal(RejectReason.Oversize, result.Rejection.Reason);
        Assert.Equal(1, small.Ledger.Counters.Rejected(RejectReason.Oversize));
        Assert.Equal(1, small.Ledger.Counters.RejectedTotal);
    }

    [Fact]
    public void Secp256k1TransactionsAndEntriesVerify()
    {
        using var client = Secp256k1Scheme.Instance.Generate();
        var entry = Entries.Next(Ledger, "main", TestLedger.Nodes[3], TestLedger.IntKey("set", "s", 3, client));
        Assert.Equal(AddStatus.Added, Ledger.Add(entry).Status);
        AssertValue("s", 3);
        var tampered = Entries.Resign(Entries.Next(Ledger, "main", TestLedger.Nodes[3], TestLedger.IntKey("inc", "s", 1, client)), TestLedger.Nodes[3],
            (_, body) => body.Transactions[0].HeaderSignature = Entries.Flip(body.Transactions[0].HeaderSignature, 40));
        AssertRejected(tampered, RejectReason.BadTransactionSignature);
    }

    private void AssertRejected(byte[] entry, RejectReason reason)
    {
        var before = Ledger.Counters.Rejected(reason);
        var order = Ledger.Order();
        var state = Ledger.State();
        var result = Ledger.Add(entry);
        Assert.True(result.Status == AddStatus.Rejected, $"expected {reason}, got {result}");
        Assert.Equal(reason, result.Rejection.Reason);
        Assert.False(string.IsNullOrEmpty(result.Rejection.Message));
        Assert.Equal(before + 1, Ledger.Counters.Rejected(reason));
        Assert.False(Ledger.Contains(Digest.Of(entry)));
        Assert.Equal(order, Ledger.Order());
        Assert.Equal(state.Count, Ledger.State().Count);
    }

    private void AssertValue(string name, ulong expected)
    {
        Assert.True(Ledger.TryGetState(IntKeyHandler.AddressOf(name), out var stored), $"{name} is set");
        Assert.True(IntKeyHandler.TryReadValue(stored, name, out var value));
        Assert.Equal(expected, value);
    }

    public void Dispose() => _ledger.Dispose();
}
