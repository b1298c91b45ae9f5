using IceFire.Ledger.Sync;

namespace IceFire.Ledger.Tests;

/// <summary>A node joining with no data takes an image of one peer's ledger, then syncs incrementally.</summary>
public sealed class FullSyncTests
{
    [Fact]
    public void ANewNodeCatchesUpByImageThenIncrementally()
    {
        var random = new Random(14);
        using var a = new TestLedger();
        using var b = new TestLedger();
        ConvergenceProperties.BuildDag(a.Ledger, random);
        ConvergenceProperties.BuildDag(b.Ledger, random);
        var image = TestLedger.NewDirectory();
        a.Ledger.WriteImage(image);
        // a keeps adding after the image was taken.
        a.Ledger.Append(TestLedger.Nodes[0], "main", [TestLedger.IntKey("set", "late", 1)], out _);

        using (var c = DagLedger.OpenImage(image, a.Ledger.GenesisId, TestLedger.FastOptions))
        {
            Assert.Equal(a.Ledger.Order().Count - 1, c.Order().Count);
            foreach (var peer in new[] { a.Ledger, b.Ledger })
            {
                var puller = new SyncPuller(c);
                var messages = new List<Protocol.SyncMessage> { puller.Start() };
                while (messages.Count > 0)
                {
                    messages = [.. puller.Step(SyncResponder.Answer(peer, messages[0])!)];
                }
                Assert.True(puller.Done);
            }
            var puller2 = new SyncPuller(a.Ledger);
            var back = new List<Protocol.SyncMessage> { puller2.Start() };
            while (back.Count > 0)
            {
                back = [.. puller2.Step(SyncResponder.Answer(b.Ledger, back[0])!)];
            }
            ConvergenceProperties.AssertSame(a.Ledger, c);
        }
        Directory.Delete(image, true);
    }

    [Fact]
    public void AnImageOfAnotherLedgerOrWithADamagedEntryIsRefused()
    {
        using var a = new TestLedger();
        a.Ledger.Append(TestLedger.Nodes[0], "main", [TestLedger.IntKey("set", "x", 1)], out var entry);
        var image = TestLedger.NewDirectory();
        a.Ledger.WriteImage(image);
        Assert.Throws<InvalidDataException>(() => DagLedger.OpenImage(image, Digest.Of("other"u8), TestLedger.FastOptions).Dispose());

        // Flip one byte of the entry's signature inside the image file: same length, so LMDB's pages stay readable.
        var file = Path.Combine(image, "data.mdb");
        var data = File.ReadAllBytes(file);
        var at = data.AsSpan().IndexOf(entry);
        Assert.True(at >= 0, "the entry is stored contiguously in the image");
        var parsed = Protocol.Entry.Parser.ParseFrom(entry);
        var signatureAt = entry.AsSpan().IndexOf(parsed.Signature.Span);
        data[at + signatureAt] ^= 1;
        File.WriteAllBytes(file, data);
        var error = Assert.Throws<InvalidDataException>(() => DagLedger.OpenImage(image, a.Ledger.GenesisId, TestLedger.FastOptions).Dispose());
        Assert.Contains(Digest.Of(entry).ToString(), error.Message);
        Assert.Contains("hash to", error.Message); // any changed byte changes the id first
        Directory.Delete(image, true);
    }
}
