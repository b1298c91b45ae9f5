using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Format;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.Storage.Records;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger;

public sealed partial class DagLedger
{
    /// <summary>
    /// Adds a new entry of <paramref name="transactions"/> by this node: its parents are the heads of
    /// <paramref name="nest"/> (the genesis while the nest has none), its results the transactions' outcomes at the
    /// end of the current order (tried in a transaction that is thrown away). <paramref name="entry"/> is the stored
    /// bytes, to hand to peers.
    /// </summary>
    /// <exception cref="ArgumentException">A transaction is malformed, so no entry could hold it.</exception>
    public AddResult Append(ISigningKey node, string nest, IReadOnlyList<Transaction> transactions, out byte[] entry)
    {
        lock (_writeLock)
        {
            List<Digest> parents;
            ulong height = 0;
            var results = new List<TransactionResult>(transactions.Count);
            using (var txn = _store.BeginWrite())
            {
                parents = HeadsOf(txn, nest);
                if (parents.Count == 0)
                {
                    parents.Add(GenesisId);
                }
                foreach (var parent in parents)
                {
                    height = Math.Max(height, ReadMeta(txn, parent).Height + 1);
                }
                var scratch = new UndoRecord();
                var valid = new TransactionResult { Status = TransactionStatus.Valid };
                for (var i = 0; i < transactions.Count; i++)
                {
                    if (!LedgerCodec.TryParseTransaction(transactions[i], _options.Limits, out var parsed, out var rejection))
                    {
                        throw new ArgumentException($"transaction {i}: {rejection}", nameof(transactions));
                    }
                    results.Add(ApplyTransaction(txn, parsed, valid, scratch));
                }
                // Disposed without commit: the trial leaves no trace.
            }
            entry = EntryBuilder.Create(node, parents, nest, height, transactions, results);
            var result = AddLocked(entry);
            Counters.Count(result);
            return result;
        }
    }
}
