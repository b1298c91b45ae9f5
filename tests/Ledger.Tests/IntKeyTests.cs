using Google.Protobuf;
using IceFire.Ledger.Families;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Tests;

/// <summary>Sawtooth's intkey semantics, applied through the ledger.</summary>
public sealed class IntKeyTests : IDisposable
{
    private readonly TestLedger _ledger = new();

    private DagLedger Ledger => _ledger.Ledger;

    [Fact]
    public void SetIncDecFollowSawtooth()
    {
        var cases = new (string Verb, string Name, ulong Value, bool Valid, ulong After)[]
        {
            ("inc", "a", 1, false, 0),           // not in state
            ("set", "a", 10, true, 10),
            ("set", "a", 11, false, 10),         // already exists
            ("inc", "a", 5, true, 15),
            ("dec", "a", 15, true, 0),
            ("dec", "a", 1, false, 0),           // below 0
            ("inc", "a", IntKeyHandler.MaxValue, true, IntKeyHandler.MaxValue),
            ("inc", "a", 1, false, IntKeyHandler.MaxValue), // above 2^32-1
            ("set", "b", IntKeyHandler.MaxValue + 1, false, 0),
            ("set", "abcdefghijklmnopqrstu", 1, false, 0), // 21 characters
            ("mul", "a", 2, false, IntKeyHandler.MaxValue),
        };
        foreach (var (verb, name, value, valid, after) in cases)
        {
            var result = Ledger.Append(TestLedger.Nodes[0], "main", [TestLedger.IntKey(verb, name, value)], out _);
            Assert.Equal(AddStatus.Added, result.Status);
            Assert.True(Ledger.TryGetResults(result.Id, out var results));
            Assert.True(valid == (results[0].Status == TransactionStatus.Valid), $"{verb} {name} {value}: {results[0].Message}");
            if (name == "a")
            {
                Assert.True(Ledger.TryGetState(IntKeyHandler.AddressOf("a"), out var stored) || after == 0);
                Assert.Equal(after, stored is null || stored.Length == 0 ? 0 : Read(stored, "a"));
            }
        }
    }

    [Fact]
    public void WritesOutsideTheDeclaredOutputsMakeTheTransactionInvalid()
    {
        var payload = new Families.IntKeyProtocol.IntKeyPayload { Verb = "set", Name = "a", Value = 1 }.ToByteArray();
        var elsewhere = State.Addressing.ToHex(IntKeyHandler.AddressOf("b"));
        var tx = Building.TransactionBuilder.Create(TestLedger.Client, IntKeyHandler.Name, IntKeyHandler.Version, payload, [elsewhere], [elsewhere], [1]);
        var result = Ledger.Append(TestLedger.Nodes[0], "main", [tx], out _);
        Assert.Equal(AddStatus.Added, result.Status);
        Assert.True(Ledger.TryGetResults(result.Id, out var results));
        Assert.Equal(TransactionStatus.Invalid, results[0].Status);
        Assert.False(Ledger.TryGetState(IntKeyHandler.AddressOf("a"), out _));
    }

    private static ulong Read(byte[] stored, string name)
    {
        Assert.True(IntKeyHandler.TryReadValue(stored, name, out var value));
        return value;
    }

    public void Dispose() => _ledger.Dispose();
}
