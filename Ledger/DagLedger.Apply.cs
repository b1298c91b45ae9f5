using Google.Protobuf;
using IceFire.Ledger.Families;
using IceFire.Ledger.Format;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.State;
using IceFire.Ledger.Storage;
using IceFire.Ledger.Storage.Records;
using LightningDB;

namespace IceFire.Ledger;

public sealed partial class DagLedger
{
    /// <summary>Limits for re-reading entries already stored: they passed the limits in force when they came.</summary>
    private static readonly LedgerLimits StoredLimits = new()
    {
        MaxEntryBytes = int.MaxValue,
        MaxTransactionsPerEntry = int.MaxValue,
        MaxParents = int.MaxValue,
        MaxNonceBytes = int.MaxValue,
        MaxAddressPrefixes = int.MaxValue,
    };

    /// <summary>
    /// Puts the entry in the total order (by height, then id; a parent is always lower than its child, so this is
    /// topological) and keeps the state equal to the fold of all entries in that order: entries that sort after the
    /// newcomer are undone, newest first, the newcomer is applied, and they are applied again after it.
    /// </summary>
    private void Place(LightningTransaction txn, ParsedEntry entry, ulong height)
    {
        var key = OrderKey(height, entry.Id);
        var later = txn.From(_store.Order, key);
        for (var i = later.Count - 1; i >= 0; i--)
        {
            Undo(txn, later[i].Key);
        }
        txn.Set(_store.Order, key, []);
        ApplyEntry(txn, entry, key);
        foreach (var (laterKey, _) in later)
        {
            ApplyEntry(txn, Load(txn, Digest.Read(laterKey.AsSpan(8))), laterKey);
        }
    }

    private void Undo(LightningTransaction txn, byte[] orderKey)
    {
        if (!txn.TryRead(_store.Undo, orderKey, out var bytes))
        {
            throw new LedgerStoreException($"entry {Digest.Read(orderKey.AsSpan(8))} has no undo record");
        }
        var undo = UndoRecord.Parser.ParseFrom(bytes);
        for (var i = undo.Writes.Count - 1; i >= 0; i--)
        {
            var write = undo.Writes[i];
            if (write.Existed)
            {
                txn.Set(_store.State, write.Address.Span, write.Previous.Span);
            }
            else
            {
                txn.Remove(_store.State, write.Address.Span);
            }
        }
        txn.Remove(_store.Undo, orderKey);
    }

    private void ApplyEntry(LightningTransaction txn, ParsedEntry entry, byte[] orderKey)
    {
        var undo = new UndoRecord();
        var results = new AppliedResults();
        for (var i = 0; i < entry.Transactions.Count; i++)
        {
            results.Results.Add(ApplyTransaction(txn, entry.Transactions[i], entry.Header.Results[i], undo));
        }
        txn.Set(_store.Undo, orderKey, undo.ToByteArray());
        txn.Set(_store.Results, entry.Id.ToArray(), results.ToByteArray());
    }

    /// <summary>
    /// Applies one transaction at the current end of the order. Every transaction consumes its signer's nonce; one
    /// whose nonce an earlier transaction in the order consumed is invalid. Only transactions the adding node marked
    /// valid reach their handler, and a handler's writes are kept only if it answers valid and every access stayed
    /// within the declared inputs and outputs.
    /// </summary>
    private TransactionResult ApplyTransaction(LightningTransaction txn, ParsedTransaction tx, TransactionResult claimed, UndoRecord undo)
    {
        var header = tx.Header;
        var nonce = new byte[Addressing.Length];
        ReservedNamespaces.Nonces.CopyTo(nonce, 0);
        NonceKey(header).CopyTo(nonce, Addressing.NamespaceLength);
        if (txn.Has(_store.State, nonce))
        {
            return Invalid("the signer's nonce was used earlier in the ledger's order");
        }
        Write(txn, nonce, [1], undo);
        if (claimed.Status != TransactionStatus.Valid)
        {
            return claimed.Clone();
        }
        if (header.FamilyName == SettingsFamily.Name)
        {
            return new TransactionResult { Status = TransactionStatus.Valid };
        }
        if (!_handlers.TryGetValue((header.FamilyName, header.FamilyVersion), out var handler))
        {
            return Invalid($"no handler for family \"{header.FamilyName}\" version {header.FamilyVersion}");
        }
        var context = new StateContext(txn, _store, header.Inputs, header.Outputs);
        var result = handler.Apply(tx, context);
        if (context.Denied)
        {
            return Invalid("state access outside the transaction's declared inputs or outputs");
        }
        if (!result.Valid)
        {
            return Invalid(result.Message);
        }
        foreach (var (address, value) in context.Writes)
        {
            Write(txn, address, value, undo);
        }
        return new TransactionResult { Status = TransactionStatus.Valid };
    }

    private void Write(LightningTransaction txn, byte[] address, byte[]? value, UndoRecord undo)
    {
        var existed = txn.TryRead(_store.State, address, out var previous);
        undo.Writes.Add(new UndoWrite { Address = ByteString.CopyFrom(address), Existed = existed, Previous = ByteString.CopyFrom(previous) });
        if (value is null)
        {
            txn.Remove(_store.State, address);
        }
        else
        {
            txn.Set(_store.State, address, value);
        }
    }

    private ParsedEntry Load(LightningTransaction txn, Digest id)
    {
        if (!txn.TryRead(_store.Entries, id.ToArray(), out var bytes))
        {
            throw new LedgerStoreException($"entry {id} is in the order but not stored");
        }
        if (!LedgerCodec.TryParseEntry(bytes, StoredLimits, out var entry, out var rejection) || entry.Id != id)
        {
            throw new LedgerStoreException($"stored entry {id} is damaged: {rejection}");
        }
        return entry;
    }

    private static TransactionResult Invalid(string message) => new() { Status = TransactionStatus.Invalid, Message = message };
}
