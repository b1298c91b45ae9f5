using Google.Protobuf;
using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Tests;

/// <summary>Helpers to make entries on top of a ledger and to take them apart again.</summary>
internal static class Entries
{
    public static ulong HeightOf(DagLedger ledger, Digest id)
    {
        Assert.True(ledger.TryGetEntry(id, out var bytes), $"entry {id} is stored");
        return EntryHeader.Parser.ParseFrom(Entry.Parser.ParseFrom(bytes).Header).Height;
    }

    /// <summary>An entry by <paramref name="node"/> on the heads of <paramref name="nest"/>, every transaction marked valid.</summary>
    public static byte[] Next(DagLedger ledger, string nest, ISigningKey node, params Transaction[] transactions)
    {
        var parents = ledger.Heads(nest).ToList();
        if (parents.Count == 0)
        {
            parents.Add(ledger.GenesisId);
        }
        var height = parents.Max(p => HeightOf(ledger, p)) + 1;
        return EntryBuilder.Create(node, parents, nest, height, transactions);
    }

    public static byte[] Next(DagLedger ledger, params Transaction[] transactions) => Next(ledger, "main", TestLedger.Nodes[0], transactions);

    /// <summary>Changes the decoded header and body of <paramref name="entry"/> and signs it again with <paramref name="node"/>.</summary>
    public static byte[] Resign(byte[] entry, ISigningKey node, Action<EntryHeader, EntryBody> change)
    {
        var parsed = Entry.Parser.ParseFrom(entry);
        var header = EntryHeader.Parser.ParseFrom(parsed.Header);
        var body = EntryBody.Parser.ParseFrom(parsed.Body);
        change(header, body);
        var bodyBytes = body.ToByteArray();
        header.BodySha256 = Digest.Of(bodyBytes).ToByteString();
        return EntryBuilder.Sign(node, header, bodyBytes);
    }

    /// <summary>Replaces one field of the stored entry without signing again.</summary>
    public static byte[] Rewrap(byte[] entry, Func<Entry, Entry> change) => change(Entry.Parser.ParseFrom(entry)).ToByteArray();

    public static ByteString Flip(ByteString bytes, int index)
    {
        var copy = bytes.ToByteArray();
        copy[index] ^= 0x01;
        return ByteString.CopyFrom(copy);
    }
}
