using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using IceFire.Ledger.Building;
using IceFire.Ledger.Format;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Tests;

/// <summary>The encodings: round trips, the one canonical form, and the numbers that must never change.</summary>
public sealed class FormatTests
{
    private static readonly LedgerLimits Limits = new();

    private static byte[] SampleEntry() => EntryBuilder.Create(TestLedger.Nodes[1], [Digest.Of("a"u8), Digest.Of("b"u8)], "main", 3,
        [TestLedger.IntKey("set", "x", 5), TestLedger.IntKey("inc", "x", 1)]);

    [Fact]
    public void EntryRoundTripsAndItsIdIsTheHashOfItsBytes()
    {
        var bytes = SampleEntry();
        Assert.True(LedgerCodec.TryParseEntry(bytes, Limits, out var entry, out var rejection), rejection.ToString());
        Assert.Equal(Digest.Of(bytes), entry.Id);
        Assert.Equal(bytes, entry.Entry.ToByteArray());
        Assert.Equal(2, entry.Transactions.Count);
        Assert.Equal("main", entry.Header.Nest);
        Assert.Equal(3ul, entry.Header.Height);
        Assert.True(entry.Parents[0] < entry.Parents[1]);
        Assert.Equal(Digest.Of(entry.Transactions[0].Transaction.ToByteArray()), entry.Transactions[0].Id);
        Assert.Equal(Digest.Parse(entry.Id.ToString()), entry.Id);
    }

    [Fact]
    public void GenesisRoundTrips()
    {
        Assert.True(LedgerCodec.TryParseEntry(TestLedger.Genesis, Limits, out var genesis, out var rejection), rejection.ToString());
        Assert.True(genesis.IsGenesis);
        Assert.Equal(TestLedger.Setup, genesis.Header.Genesis);
    }

    [Fact]
    public void AnUnknownFieldIsRefusedAsNonCanonical()
    {
        var bytes = SampleEntry();
        // Field 15, varint 1, appended: parses (unknown fields are skipped) but is not the canonical encoding.
        var tampered = bytes.Concat(new byte[] { 15 << 3, 1 }).ToArray();
        AssertRefused(tampered, RejectReason.NonCanonical);
    }

    [Fact]
    public void ReorderedFieldsAreRefusedAsNonCanonical()
    {
        var entry = Entry.Parser.ParseFrom(SampleEntry());
        // The same fields written body first: a valid protobuf encoding of the same message, but not the canonical one.
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        writer.WriteTag(3, WireFormat.WireType.LengthDelimited);
        writer.WriteBytes(entry.Body);
        writer.WriteTag(1, WireFormat.WireType.LengthDelimited);
        writer.WriteBytes(entry.Header);
        writer.WriteTag(2, WireFormat.WireType.LengthDelimited);
        writer.WriteBytes(entry.Signature);
        writer.Flush();
        Assert.Equal(entry, Entry.Parser.ParseFrom(output.ToArray()));
        AssertRefused(output.ToArray(), RejectReason.NonCanonical);
    }

    [Fact]
    public void AnExplicitDefaultValueIsRefusedAsNonCanonical()
    {
        var node = TestLedger.Nodes[1];
        var header = EntryHeader.Parser.ParseFrom(Entry.Parser.ParseFrom(SampleEntry()).Header);
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        header.WriteTo(writer);
        writer.WriteTag(6, WireFormat.WireType.Varint); // height 0 written out (and repeated, last wins)
        writer.WriteUInt64(0);
        writer.Flush();
        var headerBytes = output.ToArray();
        var entry = new Entry
        {
            Header = ByteString.CopyFrom(headerBytes),
            Signature = ByteString.CopyFrom(node.Sign(headerBytes)),
            Body = Entry.Parser.ParseFrom(SampleEntry()).Body,
        };
        AssertRefused(entry.ToByteArray(), RejectReason.NonCanonical);
    }

    [Fact]
    public void UnsortedParentsAreRefusedAsNonCanonical()
    {
        var parsed = Entry.Parser.ParseFrom(SampleEntry());
        var header = EntryHeader.Parser.ParseFrom(parsed.Header);
        var (first, second) = (header.Parents[0], header.Parents[1]);
        header.Parents[0] = second;
        header.Parents[1] = first;
        AssertRefused(EntryBuilder.Sign(TestLedger.Nodes[1], header, parsed.Body.Span), RejectReason.NonCanonical);
    }

    [Fact]
    public void UnsortedInputsAreRefusedAsNonCanonical()
    {
        var client = TestLedger.Client;
        var txHeader = new TransactionHeader
        {
            FamilyName = "intkey",
            FamilyVersion = "1.0",
            SignatureScheme = client.Scheme,
            SignerPublicKey = ByteString.CopyFrom(client.PublicKey),
            PayloadSha256 = Digest.Of([]).ToByteString(),
        };
        txHeader.Inputs.Add("bb");
        txHeader.Inputs.Add("aa");
        var headerBytes = txHeader.ToByteArray();
        var tx = new Transaction { Header = ByteString.CopyFrom(headerBytes), HeaderSignature = ByteString.CopyFrom(client.Sign(headerBytes)) };
        AssertRefused(EntryBuilder.Create(TestLedger.Nodes[1], [Digest.Of("a"u8)], "main", 1, [tx]), RejectReason.NonCanonical);
    }

    [Fact]
    public void GarbageIsRefusedAsMalformed()
    {
        AssertRefused([0xFF, 0xFF, 0xFF], RejectReason.Malformed);
        AssertRefused([], RejectReason.Malformed);
    }

    [Fact]
    public void AnOversizeEntryIsRefused()
    {
        var limits = new LedgerLimits { MaxEntryBytes = 100 };
        Assert.False(LedgerCodec.TryParseEntry(SampleEntry(), limits, out _, out var rejection));
        Assert.Equal(RejectReason.Oversize, rejection.Reason);
    }

    [Fact]
    public void ReEncodingAnyParsedEntryGivesItsBytes()
    {
        Prop.ForAll<byte[]>(noise =>
        {
            var bytes = SampleEntry();
            // Any bytes that the codec accepts are exactly the re-encoding of what it parsed.
            var mutated = noise.Length == 0 ? bytes : bytes.Select((b, i) => i < noise.Length ? (byte)(b ^ noise[i]) : b).ToArray();
            if (LedgerCodec.TryParseEntry(mutated, Limits, out var entry, out _))
            {
                Assert.Equal(mutated, entry.Entry.ToByteArray());
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }

    private static void AssertRefused(byte[] bytes, RejectReason reason)
    {
        Assert.False(LedgerCodec.TryParseEntry(bytes, Limits, out _, out var rejection));
        Assert.Equal(reason, rejection.Reason);
    }
}
