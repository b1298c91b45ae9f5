using IceFire.Ledger.Format;
using IceFire.Ledger.Storage;
using IceFire.Ledger.Verification;

namespace IceFire.Ledger;

public sealed partial class DagLedger
{
    /// <summary>
    /// Full sync, sending side: writes a consistent image of the whole ledger (entries, indexes and state as of the
    /// last committed add) as <c>data.mdb</c> in the empty directory <paramref name="directory"/>. Adds may go on
    /// meanwhile. The receiver opens it with <see cref="OpenImage"/> and continues with incremental sync.
    /// </summary>
    /// <exception cref="LedgerStoreException">LMDB could not write the copy.</exception>
    public void WriteImage(string directory) => _store.CopyTo(directory);

    /// <summary>
    /// Full sync, receiving side: opens the image in <paramref name="directory"/> as this node's ledger after
    /// checking that it is the ledger of <paramref name="genesisId"/> and that every stored entry is intact (its
    /// canonical form, its id, its hashes and every signature). The image's indexes and state are taken as sent:
    /// only a peer trusted with the whole store should send one; anything added afterwards is verified as usual.
    /// </summary>
    /// <exception cref="InvalidDataException">The image is another ledger's or holds a damaged entry; the first bad entry is named.</exception>
    public static DagLedger OpenImage(string directory, Digest genesisId, DagLedgerOptions? options = null)
    {
        var ledger = Open(directory, options);
        try
        {
            if (ledger.GenesisId != genesisId)
            {
                throw new InvalidDataException($"the image is of ledger {ledger.GenesisId}, not {genesisId}");
            }
            if (ledger.CheckStoredEntries() is { } bad)
            {
                throw new InvalidDataException($"the image holds a damaged entry: {bad}");
            }
            return ledger;
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Re-checks every stored entry on its own: canonical form, hashes, that it is stored under its id, and its
    /// signatures. Null when all are intact, else the first bad entry and why.
    /// </summary>
    public string? CheckStoredEntries()
    {
        using var txn = _store.BeginRead();
        foreach (var (key, bytes) in txn.From(_store.Entries, []))
        {
            var id = Digest.Read(key);
            if (!LedgerCodec.TryParseEntry(bytes, StoredLimits, out var entry, out var rejection))
            {
                return $"{id}: {rejection}";
            }
            if (entry.Id != id)
            {
                return $"{id}: stored bytes hash to {entry.Id}";
            }
            if (!SignatureValid(entry, out rejection))
            {
                return $"{id}: {rejection}";
            }
            if (!txn.Has(_store.Meta, key))
            {
                return $"{id}: {new Rejection(RejectReason.Malformed, "no metadata")}";
            }
        }
        return null;
    }
}
