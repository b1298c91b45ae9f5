using System.Security.Cryptography;
using Google.Protobuf;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger.Format;

/// <summary>
/// Decodes entries and checks everything that needs nothing but the entry itself: the canonical form of every
/// message, field forms and limits, the body hash and every payload hash. Signatures and everything that needs the
/// ledger are checked by the ledger (<see cref="DagLedger"/>).
/// </summary>
public static partial class LedgerCodec
{
    /// <summary>Longest state address in hex digits (Sawtooth: 70, a 6-digit namespace and a 64-digit hash).</summary>
    public const int AddressHexLength = 70;

    private static readonly MessageParser<Entry> EntryParser = Entry.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<EntryHeader> HeaderParser = EntryHeader.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<EntryBody> BodyParser = EntryBody.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<TransactionHeader> TransactionHeaderParser = TransactionHeader.Parser.WithDiscardUnknownFields(true);

    /// <summary>Decodes and checks <paramref name="bytes"/>; on failure says why in <paramref name="rejection"/>.</summary>
    public static bool TryParseEntry(byte[] bytes, LedgerLimits limits, out ParsedEntry entry, out Rejection rejection)
    {
        entry = null!;
        if (bytes.Length > limits.MaxEntryBytes)
        {
            return Reject(RejectReason.Oversize, $"entry of {bytes.Length} bytes is over the limit of {limits.MaxEntryBytes}", out rejection);
        }
        if (!Parse(EntryParser, bytes, "entry", out var message, out rejection)
            || !Parse(HeaderParser, message.Header.Span, "entry header", out var header, out rejection)
            || !CheckHeader(header, limits, out rejection))
        {
            return false;
        }
        if (message.Signature.IsEmpty)
        {
            return Reject(RejectReason.Malformed, "entry has no signature", out rejection);
        }
        if (!HashEquals(message.Body.Span, header.BodySha256))
        {
            return Reject(RejectReason.BodyHashMismatch, "SHA-256 of the body differs from the header's body hash", out rejection);
        }
        if (!Parse(BodyParser, message.Body.Span, "entry body", out var body, out rejection))
        {
            return false;
        }
        if (body.Transactions.Count > limits.MaxTransactionsPerEntry)
        {
            return Reject(RejectReason.Oversize, $"{body.Transactions.Count} transactions is over the limit of {limits.MaxTransactionsPerEntry}", out rejection);
        }
        if (body.Transactions.Count != header.Results.Count)
        {
            return Reject(RejectReason.Malformed, $"{body.Transactions.Count} transactions but {header.Results.Count} results", out rejection);
        }
        var transactions = new ParsedTransaction[body.Transactions.Count];
        for (var i = 0; i < transactions.Length; i++)
        {
            if (!TryParseTransaction(body.Transactions[i], limits, out transactions[i], out rejection))
            {
                rejection = rejection with { Message = $"transaction {i}: {rejection.Message}" };
                return false;
            }
        }
        var parents = new Digest[header.Parents.Count];
        for (var i = 0; i < parents.Length; i++)
        {
            parents[i] = Digest.Read(header.Parents[i].Span);
        }
        entry = new ParsedEntry(bytes, Digest.Of(bytes), message, header, transactions, parents);
        rejection = default;
        return true;
    }

    /// <summary>Checks one transaction of a body (already in canonical form as part of it).</summary>
    public static bool TryParseTransaction(Transaction transaction, LedgerLimits limits, out ParsedTransaction parsed, out Rejection rejection)
    {
        parsed = null!;
        if (!Parse(TransactionHeaderParser, transaction.Header.Span, "transaction header", out var header, out rejection)
            || !CheckTransactionHeader(header, limits, out rejection))
        {
            return false;
        }
        if (transaction.HeaderSignature.IsEmpty)
        {
            return Reject(RejectReason.Malformed, "no signature", out rejection);
        }
        if (!HashEquals(transaction.Payload.Span, header.PayloadSha256))
        {
            return Reject(RejectReason.PayloadHashMismatch, "SHA-256 of the payload differs from the header's payload hash", out rejection);
        }
        parsed = new ParsedTransaction(transaction, header, Digest.Of(transaction.ToByteArray()));
        return true;
    }

    private static bool CheckHeader(EntryHeader header, LedgerLimits limits, out Rejection rejection)
    {
        if (!CheckKey(header.SignerScheme, header.SignerPublicKey, "entry signer", out rejection))
        {
            return false;
        }
        if (header.Parents.Count > limits.MaxParents)
        {
            return Reject(RejectReason.Oversize, $"{header.Parents.Count} parents is over the limit of {limits.MaxParents}", out rejection);
        }
        foreach (var parent in header.Parents)
        {
            if (parent.Length != Digest.Length)
            {
                return Reject(RejectReason.Malformed, $"a parent id of {parent.Length} bytes", out rejection);
            }
        }
        if (!Canonical.StrictlyAscending(header.Parents))
        {
            return Reject(RejectReason.NonCanonical, "parent ids are not sorted and unique", out rejection);
        }
        foreach (var result in header.Results)
        {
            if (result.Status is not (TransactionStatus.Valid or TransactionStatus.Invalid))
            {
                return Reject(RejectReason.Malformed, $"transaction status {(int)result.Status}", out rejection);
            }
        }
        if (header.Parents.Count == 0)
        {
            if (header.Genesis is null)
            {
                return Reject(RejectReason.Malformed, "an entry without parents that is not a genesis", out rejection);
            }
            if (header.Height != 0)
            {
                return Reject(RejectReason.BadHeight, $"genesis at height {header.Height}", out rejection);
            }
            return CheckSetup(header.Genesis, out rejection);
        }
        if (header.Genesis is not null)
        {
            return Reject(RejectReason.Malformed, "a setup in an entry that has parents", out rejection);
        }
        rejection = default;
        return true;
    }

    private static bool CheckTransactionHeader(TransactionHeader header, LedgerLimits limits, out Rejection rejection)
    {
        if (!CheckKey(header.SignatureScheme, header.SignerPublicKey, "transaction signer", out rejection))
        {
            return false;
        }
        if (header.FamilyName.Length == 0 || header.FamilyVersion.Length == 0)
        {
            return Reject(RejectReason.Malformed, "no family name or version", out rejection);
        }
        if (header.Nonce.Length > limits.MaxNonceBytes)
        {
            return Reject(RejectReason.Oversize, $"nonce of {header.Nonce.Length} bytes is over the limit of {limits.MaxNonceBytes}", out rejection);
        }
        if (header.Inputs.Count > limits.MaxAddressPrefixes || header.Outputs.Count > limits.MaxAddressPrefixes)
        {
            return Reject(RejectReason.Oversize, $"more than {limits.MaxAddressPrefixes} inputs or outputs", out rejection);
        }
        if (!CheckPrefixes(header.Inputs, "inputs", out rejection) || !CheckPrefixes(header.Outputs, "outputs", out rejection))
        {
            return false;
        }
        foreach (var dependency in header.Dependencies)
        {
            if (dependency.Length != Digest.Length)
            {
                return Reject(RejectReason.Malformed, $"a dependency id of {dependency.Length} bytes", out rejection);
            }
        }
        if (!Canonical.StrictlyAscending(header.Dependencies))
        {
            return Reject(RejectReason.NonCanonical, "dependencies are not sorted and unique", out rejection);
        }
        if (header.PayloadSha256.Length != Digest.Length)
        {
            return Reject(RejectReason.Malformed, "payload hash is not 32 bytes", out rejection);
        }
        return true;
    }

    private static bool CheckPrefixes(IReadOnlyList<string> prefixes, string what, out Rejection rejection)
    {
        foreach (var prefix in prefixes)
        {
            if (!Canonical.IsLowerHex(prefix, AddressHexLength))
            {
                return Reject(RejectReason.Malformed, $"{what}: \"{prefix}\" is not a lowercase hex address prefix", out rejection);
            }
        }
        if (!Canonical.StrictlyAscending(prefixes))
        {
            return Reject(RejectReason.NonCanonical, $"{what} are not sorted and unique", out rejection);
        }
        rejection = default;
        return true;
    }

    private static bool CheckKey(SignatureScheme scheme, ByteString key, string what, out Rejection rejection)
    {
        if (!SignatureSchemes.TryGet(scheme, out var implementation))
        {
            return Reject(RejectReason.Malformed, $"{what}: unknown signature scheme {(int)scheme}", out rejection);
        }
        if (key.Length != implementation.PublicKeyLength)
        {
            return Reject(RejectReason.Malformed, $"{what}: a {scheme} public key of {key.Length} bytes", out rejection);
        }
        rejection = default;
        return true;
    }

    private static bool Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> bytes, string what, out T message, out Rejection rejection)
        where T : IMessage<T>
    {
        if (!Canonical.TryParse(parser, bytes, out message, out var canonical))
        {
            return Reject(RejectReason.Malformed, $"{what} does not parse", out rejection);
        }
        if (!canonical)
        {
            return Reject(RejectReason.NonCanonical, $"{what} is not in canonical form", out rejection);
        }
        rejection = default;
        return true;
    }

    private static bool HashEquals(ReadOnlySpan<byte> data, ByteString expected)
    {
        Span<byte> hash = stackalloc byte[Digest.Length];
        SHA256.HashData(data, hash);
        return hash.SequenceEqual(expected.Span);
    }

    private static bool Reject(RejectReason reason, string message, out Rejection rejection)
    {
        rejection = new Rejection(reason, message);
        return false;
    }
}
