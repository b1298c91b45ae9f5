using FsCheck;
using FsCheck.Fluent;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Sync;

namespace IceFire.Ledger.Tests;

/// <summary>
/// Incremental sync over a simulated link that loses, delays and duplicates messages: ledgers that grew apart from
/// one genesis end with identical heads, order, results and state.
/// </summary>
public sealed class SyncTests
{
    /// <summary>Seeds checked per property.</summary>
    private const int Seeds = 25;

    [Fact]
    public void TwoLedgersOverALossyLinkConverge()
    {
        Prop.ForAll<int>(seed =>
        {
            var random = new Random(seed);
            using var a = new TestLedger();
            using var b = new TestLedger();
            ConvergenceProperties.BuildDag(a.Ledger, random);
            ConvergenceProperties.BuildDag(b.Ledger, random);
            Pull(a.Ledger, b.Ledger, random);
            Pull(b.Ledger, a.Ledger, random);
            ConvergenceProperties.AssertSame(a.Ledger, b.Ledger);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Seeds));
    }

    [Fact]
    public void ThreeLedgersInARingConverge()
    {
        Prop.ForAll<int>(seed =>
        {
            var random = new Random(seed);
            using var a = new TestLedger();
            using var b = new TestLedger();
            using var c = new TestLedger();
            ConvergenceProperties.BuildDag(a.Ledger, random);
            ConvergenceProperties.BuildDag(b.Ledger, random);
            // c starts empty: a new node catching up incrementally.
            DagLedger[] ring = [a.Ledger, b.Ledger, c.Ledger];
            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < ring.Length; i++)
                {
                    Pull(ring[(i + 1) % ring.Length], ring[i], random);
                }
            }
            ConvergenceProperties.AssertSame(a.Ledger, b.Ledger);
            ConvergenceProperties.AssertSame(a.Ledger, c.Ledger);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Seeds));
    }

    [Fact]
    public void ALongChainArrivesInBatchesParentsFirst()
    {
        using var source = new TestLedger();
        using var target = new TestLedger();
        for (var i = 0; i < 300; i++)
        {
            source.Ledger.Append(TestLedger.Nodes[i % 3], "main", [TestLedger.IntKey(i == 0 ? "set" : "inc", "n", 1)], out _);
        }
        var puller = new SyncPuller(target.Ledger);
        var messages = new List<SyncMessage> { puller.Start() };
        var exchanges = 0;
        while (messages.Count > 0)
        {
            exchanges++;
            messages = [.. puller.Step(SyncResponder.Answer(source.Ledger, messages[0])!)];
        }
        Assert.True(puller.Done);
        Assert.Equal(300, puller.Added);
        Assert.Equal(0, puller.Parked);
        ConvergenceProperties.AssertSame(source.Ledger, target.Ledger);
        // Heads, then 300 entries at up to 256 per answer, each answer's ancestors sorted parents first.
        Assert.True(exchanges <= 4, $"{exchanges} exchanges");
    }

    [Fact]
    public void AnAnswerOfForgedEntriesStoresNothing()
    {
        using var source = new TestLedger();
        using var target = new TestLedger();
        source.Ledger.Append(TestLedger.Nodes[0], "main", [TestLedger.IntKey("set", "n", 1)], out var entry);
        var puller = new SyncPuller(target.Ledger);
        puller.Step(new SyncMessage { Heads = new Heads { Ids = { Digest.Of(entry).ToByteString() } } });
        var forged = (byte[])entry.Clone();
        forged[^1] ^= 1;
        var answer = new SyncMessage { Entries = new Protocol.Entries() };
        answer.Entries.Entries_.Add(Google.Protobuf.ByteString.CopyFrom(forged));
        puller.Step(answer);
        Assert.Equal(1, puller.Rejected);
        Assert.Equal([target.Ledger.GenesisId], target.Ledger.Order());
        Assert.False(puller.Done); // the real entry is asked for again
    }

    [Fact]
    public void EntriesWaitingForParentsAreBounded()
    {
        using var source = new TestLedger();
        using var target = new TestLedger();
        var chain = new List<byte[]>();
        for (var i = 0; i < 10; i++)
        {
            source.Ledger.Append(TestLedger.Nodes[0], "main", [TestLedger.IntKey("set", "k" + i, 1)], out var entry);
            chain.Add(entry);
        }
        var puller = new SyncPuller(target.Ledger, new SyncOptions { MaxParked = 3 });
        puller.Step(SyncResponder.Answer(source.Ledger, puller.Start())!);
        // Children first: every one of them lacks its parent.
        var answer = new SyncMessage { Entries = new Protocol.Entries() };
        for (var i = chain.Count - 1; i >= 1; i--)
        {
            answer.Entries.Entries_.Add(Google.Protobuf.ByteString.CopyFrom(chain[i]));
        }
        puller.Step(answer);
        Assert.Equal(3, puller.Parked);
        Assert.Equal(6, puller.Dropped);
        // A later session still gets everything.
        Pull(target.Ledger, source.Ledger, new Random(1));
        ConvergenceProperties.AssertSame(source.Ledger, target.Ledger);
    }

    /// <summary>
    /// Runs one session of <paramref name="puller"/> against <paramref name="peer"/>. Each message is lost with
    /// probability 1/5, an answer is held back and delivered late (stale) with 1/6, and delivered twice with 1/6;
    /// the host retries whenever it has nothing to send.
    /// </summary>
    private static void Pull(DagLedger puller, DagLedger peer, Random random)
    {
        var options = new SyncOptions { BatchSize = random.Next(1, 6), MaxEntriesPerAnswer = random.Next(1, 8) };
        var session = new SyncPuller(puller, options);
        var outbox = new Queue<SyncMessage>();
        outbox.Enqueue(session.Start());
        var late = new List<SyncMessage>();
        for (var step = 0; !session.Done; step++)
        {
            Assert.True(step < 20_000, "sync did not finish within 20,000 steps");
            if (late.Count > 0 && random.Next(4) == 0)
            {
                Send(session, outbox, late[0]);
                late.RemoveAt(0);
            }
            if (!outbox.TryDequeue(out var request))
            {
                foreach (var again in session.Retry())
                {
                    outbox.Enqueue(again);
                }
                continue;
            }
            if (random.Next(5) == 0)
            {
                continue; // request lost
            }
            var answer = SyncResponder.Answer(peer, request, options)!;
            switch (random.Next(6))
            {
                case 0:
                    continue; // answer lost
                case 1:
                    late.Add(answer);
                    continue;
                case 2:
                    Send(session, outbox, answer);
                    Send(session, outbox, answer);
                    break;
                default:
                    Send(session, outbox, answer);
                    break;
            }
        }
        Assert.Equal(0, session.Parked);
    }

    private static void Send(SyncPuller session, Queue<SyncMessage> outbox, SyncMessage answer)
    {
        foreach (var next in session.Step(answer))
        {
            outbox.Enqueue(next);
        }
    }
}
