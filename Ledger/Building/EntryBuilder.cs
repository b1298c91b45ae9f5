using Google.Protobuf;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Building;

/// <summary>Makes signed entries in canonical form (sorted, unique parents).</summary>
public static class EntryBuilder
{
    /// <summary>
    /// Builds and signs an entry. <paramref name="results"/> gives the adding node's verdict on each transaction, in
    /// order; null marks them all valid.
    /// </summary>
    public static byte[] Create(ISigningKey node, IEnumerable<Digest> parents, string nest, ulong height,
        IReadOnlyList<Transaction> transactions, IReadOnlyList<TransactionResult>? results = null, Setup? genesis = null)
    {
        var body = new EntryBody();
        body.Transactions.AddRange(transactions);
        var bodyBytes = body.ToByteArray();
        var header = new EntryHeader
        {
            BodySha256 = Digest.Of(bodyBytes).ToByteString(),
            SignerScheme = node.Scheme,
            SignerPublicKey = ByteString.CopyFrom(node.PublicKey),
            Nest = nest,
            Height = height,
            Genesis = genesis,
        };
        foreach (var parent in new SortedSet<Digest>(parents))
        {
            header.Parents.Add(parent.ToByteString());
        }
        for (var i = 0; i < transactions.Count; i++)
        {
            header.Results.Add(results is null ? new TransactionResult { Status = TransactionStatus.Valid } : results[i]);
        }
        return Sign(node, header, bodyBytes);
    }

    /// <summary>Signs <paramref name="header"/> as it is (the caller keeps it canonical) and wraps it with <paramref name="body"/>.</summary>
    public static byte[] Sign(ISigningKey node, EntryHeader header, ReadOnlySpan<byte> body)
    {
        var headerBytes = header.ToByteArray();
        return new Entry
        {
            Header = ByteString.CopyFrom(headerBytes),
            Signature = ByteString.CopyFrom(node.Sign(headerBytes)),
            Body = ByteString.CopyFrom(body),
        }.ToByteArray();
    }

    /// <summary>The key of <paramref name="node"/> as setups list it.</summary>
    public static NodeKey KeyOf(ISigningKey node) => new() { Scheme = node.Scheme, PublicKey = ByteString.CopyFrom(node.PublicKey) };
}
