using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using IceFire.Ledger.Building;
using IceFire.Ledger.Families;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Tests;

/// <summary>
/// Ledgers that receive the same entries, in any order and with duplicates, hold the same heads, order, results and
/// state. Each seed builds a random DAG through a reference ledger (branches across two nests, several signing nodes,
/// conflicting intkey writes, replayed transactions both in descendants, which are refused, and in concurrent
/// branches, which are accepted and applied as invalid by the order), then delivers the accepted entries to two
/// more ledgers in two random orders with duplicates, parking an entry whose parents have not arrived.
/// </summary>
public sealed class ConvergenceProperties
{
    /// <summary>Seeds checked per run.</summary>
    private const int Seeds = 60;

    private static readonly string[] Names = ["a", "b", "c"];
    private static readonly string[] Verbs = ["set", "inc", "dec"];

    [Fact]
    public void RandomDagsInRandomOrdersConverge()
    {
        Prop.ForAll<int>(seed => Converges(seed)).Check(Config.QuickThrowOnFailure.WithMaxTest(Seeds));
    }

    [Fact]
    public void AConcurrentReplayIsAppliedOnceWhateverTheArrivalOrder()
    {
        using var one = new TestLedger();
        using var two = new TestLedger();
        var tx = TestLedger.IntKey("set", "a", 1);
        var left = Entries.Next(one.Ledger, "main", TestLedger.Nodes[0], tx);
        var right = Entries.Next(one.Ledger, "side", TestLedger.Nodes[1], tx);
        Assert.Equal(AddStatus.Added, one.Ledger.Add(left).Status);
        Assert.Equal(AddStatus.Added, one.Ledger.Add(right).Status);
        Assert.Equal(AddStatus.Added, two.Ledger.Add(right).Status);
        Assert.Equal(AddStatus.Added, two.Ledger.Add(left).Status);
        AssertSame(one.Ledger, two.Ledger);
        var first = one.Ledger.Order()[1];
        var second = one.Ledger.Order()[2];
        Assert.True(one.Ledger.TryGetResults(first, out var firstResults));
        Assert.True(one.Ledger.TryGetResults(second, out var secondResults));
        Assert.Equal(TransactionStatus.Valid, firstResults[0].Status);
        Assert.Equal(TransactionStatus.Invalid, secondResults[0].Status);
    }

    private static bool Converges(int seed)
    {
        var random = new Random(seed);
        using var reference = new TestLedger();
        var accepted = BuildDag(reference.Ledger, random);
        using var one = new TestLedger();
        using var two = new TestLedger();
        Deliver(one.Ledger, accepted, random);
        Deliver(two.Ledger, accepted, random);
        AssertSame(reference.Ledger, one.Ledger);
        AssertSame(reference.Ledger, two.Ledger);
        return true;
    }

    /// <summary>Random entries on random earlier entries, kept when the reference ledger accepts them.</summary>
    internal static List<byte[]> BuildDag(DagLedger reference, Random random)
    {
        var accepted = new List<byte[]>();
        var heights = new Dictionary<Digest, ulong> { [reference.GenesisId] = 0 };
        var ids = new List<Digest> { reference.GenesisId };
        var sent = new List<Transaction>();
        var count = random.Next(3, 25);
        for (var n = 0; n < count; n++)
        {
            var parents = new HashSet<Digest>();
            var parentCount = random.Next(1, 4);
            for (var p = 0; p < parentCount; p++)
            {
                // Mostly recent entries, so the DAG has depth as well as width.
                parents.Add(ids[Math.Max(0, ids.Count - 1 - random.Next(Math.Min(ids.Count, 4)))]);
            }
            var transactions = new List<Transaction>();
            var results = new List<TransactionResult>();
            for (var t = random.Next(0, 4); t > 0; t--)
            {
                var replay = sent.Count > 0 && random.Next(8) == 0;
                transactions.Add(replay ? sent[random.Next(sent.Count)]
                    : TestLedger.IntKey(Verbs[random.Next(Verbs.Length)], Names[random.Next(Names.Length)], (ulong)random.Next(0, 5)));
                results.Add(new TransactionResult { Status = random.Next(10) == 0 ? TransactionStatus.Invalid : TransactionStatus.Valid });
            }
            var node = TestLedger.Nodes[random.Next(TestLedger.Nodes.Length)];
            var height = parents.Max(p => heights[p]) + 1;
            var entry = EntryBuilder.Create(node, parents, random.Next(2) == 0 ? "main" : "side", height, transactions, results);
            var result = reference.Add(entry);
            if (result.Status == AddStatus.Added)
            {
                accepted.Add(entry);
                heights[result.Id] = height;
                ids.Add(result.Id);
                sent.AddRange(transactions);
            }
            else if (result.Status != AddStatus.Duplicate) // an empty entry may come out the same twice: Ed25519 is deterministic
            {
                Assert.Equal(AddStatus.Rejected, result.Status);
                Assert.Equal(RejectReason.ReplayedNonce, result.Rejection.Reason);
            }
        }
        return accepted;
    }

    /// <summary>Every entry once or twice, shuffled; an entry whose parents are missing waits until they come.</summary>
    private static void Deliver(DagLedger ledger, List<byte[]> entries, Random random)
    {
        var queue = new List<byte[]>(entries);
        foreach (var entry in entries)
        {
            if (random.Next(3) == 0)
            {
                queue.Add(entry);
            }
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(queue));
        var parked = new List<byte[]>();
        foreach (var entry in queue)
        {
            var result = ledger.Add(entry);
            Assert.NotEqual(AddStatus.Rejected, result.Status);
            if (result.Status == AddStatus.MissingParents)
            {
                parked.Add(entry);
                continue;
            }
            for (var progress = true; progress;)
            {
                progress = false;
                for (var i = parked.Count - 1; i >= 0; i--)
                {
                    var retry = ledger.Add(parked[i]);
                    if (retry.Status != AddStatus.MissingParents)
                    {
                        parked.RemoveAt(i);
                        progress = true;
                    }
                }
            }
        }
        Assert.Empty(parked);
    }

    internal static void AssertSame(DagLedger expected, DagLedger actual)
    {
        Assert.Equal(expected.Order(), actual.Order());
        foreach (var nest in new[] { "main", "side", "extra" })
        {
            Assert.Equal(expected.Heads(nest), actual.Heads(nest));
        }
        Assert.Equal(expected.AllHeads(), actual.AllHeads());
        Assert.Equal(Dump(expected), Dump(actual));
        foreach (var id in expected.Order())
        {
            Assert.True(expected.TryGetResults(id, out var want));
            Assert.True(actual.TryGetResults(id, out var got));
            Assert.Equal(want, got);
        }
    }

    private static List<string> Dump(DagLedger ledger) =>
        ledger.State().Select(s => Convert.ToHexString(s.Address) + "=" + Convert.ToHexString(s.Value)).ToList();
}
