using System.Buffers.Binary;
using Google.Protobuf;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Format;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Storage;
using IceFire.Ledger.Storage.Records;
using IceFire.Ledger.Verification;
using LightningDB;

namespace IceFire.Ledger;

public sealed partial class DagLedger
{
    /// <summary>
    /// Verifies <paramref name="entry"/> (its stored bytes) and, if it passes, stores it and applies it in the total
    /// order. Checks run cheapest and most self-contained first: form and hashes, then signatures (so a forged entry
    /// never sends the caller fetching parents), then parents present, then what needs the parents: signer allowed,
    /// height, nest, families, nonces, dependencies, settings quorum. A refused entry is counted and never stored.
    /// </summary>
    /// <exception cref="LedgerStoreException">LMDB failed; the entry was not stored.</exception>
    public AddResult Add(byte[] entry)
    {
        lock (_writeLock)
        {
            var result = AddLocked(entry);
            Counters.Count(result);
            return result;
        }
    }

    private AddResult AddLocked(byte[] bytes)
    {
        if (!LedgerCodec.TryParseEntry(bytes, _options.Limits, out var entry, out var rejection))
        {
            return AddResult.Rejected(bytes.Length <= _options.Limits.MaxEntryBytes ? Digest.Of(bytes) : default, rejection);
        }
        using var txn = _store.BeginWrite();
        if (txn.Has(_store.Entries, entry.Id.ToArray()))
        {
            return AddResult.Duplicate(entry.Id);
        }
        if (entry.IsGenesis)
        {
            return AddResult.Rejected(entry.Id, new Rejection(RejectReason.WrongGenesis, $"this ledger's genesis is {GenesisId}"));
        }
        if (!SignatureValid(entry, out rejection))
        {
            return AddResult.Rejected(entry.Id, rejection);
        }
        List<Digest>? missing = null;
        foreach (var parent in entry.Parents)
        {
            if (!txn.Has(_store.Meta, parent.ToArray()))
            {
                (missing ??= []).Add(parent);
            }
        }
        if (missing is not null)
        {
            return AddResult.Missing(entry.Id, missing);
        }
        if (!Verify(txn, entry, out var verified, out rejection))
        {
            return AddResult.Rejected(entry.Id, rejection);
        }
        Store(txn, entry, verified);
        Place(txn, entry, verified.Meta.Height);
        LedgerStore.Check(txn.Commit(), "mdb_txn_commit");
        return AddResult.Added(entry.Id);
    }

    /// <summary>The adding node's signature over the header, and each signer's over its transaction header.</summary>
    private static bool SignatureValid(ParsedEntry entry, out Rejection rejection)
    {
        var header = entry.Header;
        if (!SignatureSchemes.Verify(header.SignerScheme, header.SignerPublicKey.Span, entry.Entry.Header.Span, entry.Entry.Signature.Span))
        {
            rejection = new Rejection(RejectReason.BadEntrySignature, "the node signature does not verify");
            return false;
        }
        for (var i = 0; i < entry.Transactions.Count; i++)
        {
            var tx = entry.Transactions[i];
            if (!SignatureSchemes.Verify(tx.Header.SignatureScheme, tx.Header.SignerPublicKey.Span, tx.Transaction.Header.Span, tx.Transaction.HeaderSignature.Span))
            {
                rejection = new Rejection(RejectReason.BadTransactionSignature, $"transaction {i} ({tx.Id}): the signature does not verify");
                return false;
            }
        }
        rejection = default;
        return true;
    }

    /// <summary>Whether <paramref name="setup"/> allows the node key (<paramref name="scheme"/>, <paramref name="key"/>).</summary>
    private static bool Allows(Setup setup, SignatureScheme scheme, ReadOnlySpan<byte> key, out Rejection rejection)
    {
        foreach (var allowed in setup.NodeKeys)
        {
            if (allowed.Scheme == scheme && allowed.PublicKey.Span.SequenceEqual(key))
            {
                rejection = default;
                return true;
            }
        }
        rejection = new Rejection(RejectReason.SignerNotAllowed,
            $"{scheme} key {Convert.ToHexStringLower(key)} is not allowed by setup {setup.Sequence}");
        return false;
    }

    /// <summary>Writes the entry and its indexes: graph both ways, heads of its nest, transactions and nonces.</summary>
    private void Store(LightningTransaction txn, ParsedEntry entry, in Verified verified)
    {
        var id = entry.Id.ToArray();
        txn.Set(_store.Entries, id, entry.Bytes);
        txn.Set(_store.Meta, id, verified.Meta.ToByteArray());
        if (verified.NewSetup is { } setup)
        {
            txn.Set(_store.Setups, id, setup.Span);
        }
        var nest = entry.Header.Nest;
        foreach (var parent in entry.Parents)
        {
            txn.Set(_store.Children, Concat(parent, entry.Id), []);
            txn.Set(_store.Parents, Concat(entry.Id, parent), []);
            // A parent stops heading this nest; it still heads its own nest if that is another one.
            txn.Remove(_store.Heads, HeadKey(nest, parent));
        }
        txn.Set(_store.Heads, HeadKey(nest, entry.Id), []);
        Span<byte> index = stackalloc byte[4];
        for (var i = 0; i < entry.Transactions.Count; i++)
        {
            var tx = entry.Transactions[i];
            BinaryPrimitives.WriteInt32BigEndian(index, i);
            txn.Set(_store.Transactions, Concat(tx.Id, entry.Id), index);
            txn.Set(_store.Nonces, Concat(NonceKey(tx.Header), entry.Id), []);
        }
    }

    /// <summary>SHA-256 of scheme, signer key and nonce: one per signer and nonce (key lengths are fixed per scheme).</summary>
    private static byte[] NonceKey(TransactionHeader header)
    {
        var data = new byte[1 + header.SignerPublicKey.Length + header.Nonce.Length];
        data[0] = (byte)header.SignatureScheme;
        header.SignerPublicKey.Span.CopyTo(data.AsSpan(1));
        header.Nonce.Span.CopyTo(data.AsSpan(1 + header.SignerPublicKey.Length));
        return Digest.Of(data).ToArray();
    }
}
