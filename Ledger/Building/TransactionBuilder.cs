using Google.Protobuf;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Building;

/// <summary>Makes signed transactions in canonical form: sorted, unique inputs, outputs and dependencies.</summary>
public static class TransactionBuilder
{
    /// <summary>Signs a transaction of <paramref name="family"/> <paramref name="version"/> carrying <paramref name="payload"/>.</summary>
    public static Transaction Create(ISigningKey signer, string family, string version, ReadOnlySpan<byte> payload,
        IEnumerable<string> inputs, IEnumerable<string> outputs, ReadOnlySpan<byte> nonce, IEnumerable<Digest>? dependencies = null)
    {
        var header = new TransactionHeader
        {
            FamilyName = family,
            FamilyVersion = version,
            SignatureScheme = signer.Scheme,
            SignerPublicKey = ByteString.CopyFrom(signer.PublicKey),
            Nonce = ByteString.CopyFrom(nonce),
            PayloadSha256 = Digest.Of(payload).ToByteString(),
        };
        header.Inputs.AddRange(SortedUnique(inputs));
        header.Outputs.AddRange(SortedUnique(outputs));
        if (dependencies is not null)
        {
            var ids = new SortedSet<Digest>(dependencies);
            foreach (var id in ids)
            {
                header.Dependencies.Add(id.ToByteString());
            }
        }
        var headerBytes = header.ToByteArray();
        return new Transaction
        {
            Header = ByteString.CopyFrom(headerBytes),
            HeaderSignature = ByteString.CopyFrom(signer.Sign(headerBytes)),
            Payload = ByteString.CopyFrom(payload),
        };
    }

    /// <summary>The id of <paramref name="transaction"/>: the SHA-256 of its bytes.</summary>
    public static Digest Id(Transaction transaction) => Digest.Of(transaction.ToByteArray());

    private static SortedSet<string> SortedUnique(IEnumerable<string> items) => new(items, StringComparer.Ordinal);
}
