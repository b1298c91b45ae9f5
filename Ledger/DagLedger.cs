using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using IceFire.Ledger.Format;
using IceFire.Ledger.Protocol;
using IceFire.Ledger.State;
using IceFire.Ledger.Storage;
using IceFire.Ledger.Storage.Records;
using IceFire.Ledger.Verification;
using LightningDB;

namespace IceFire.Ledger;

/// <summary>
/// One ledger: a DAG of signed entries in an LMDB environment, verified on the way in, kept in a deterministic total
/// order, and folded in that order into per-family state. Any two ledgers holding the same set of entries hold the
/// same heads, order and state, whatever order the entries arrived in.
/// Threading: <see cref="Add"/> and <see cref="Append"/> are serialized by a lock (one LMDB writer); reads run
/// concurrently with them and with each other and see the last committed add.
/// </summary>
public sealed partial class DagLedger : IDisposable
{
    private static readonly byte[] GenesisKey = "genesis"u8.ToArray();

    private readonly LedgerStore _store;
    private readonly DagLedgerOptions _options;
    private readonly Dictionary<(string Family, string Version), ITransactionHandler> _handlers = new();
    private readonly Lock _writeLock = new();

    private DagLedger(LedgerStore store, DagLedgerOptions options, Digest genesisId)
    {
        _store = store;
        _options = options;
        GenesisId = genesisId;
        foreach (var handler in options.Handlers)
        {
            foreach (var version in handler.FamilyVersions)
            {
                _handlers[(handler.FamilyName, version)] = handler;
            }
        }
    }

    /// <summary>The id of the ledger's genesis entry.</summary>
    public Digest GenesisId { get; }

    /// <summary>What the ledger did with the entries offered since it was opened.</summary>
    public LedgerCounters Counters { get; } = new();

    /// <summary>
    /// Opens the ledger in <paramref name="path"/>, creating it from <paramref name="genesis"/> when the directory
    /// holds none.
    /// </summary>
    /// <exception cref="ArgumentException">The genesis is invalid, or the directory holds another ledger.</exception>
    public static DagLedger Create(string path, byte[] genesis, DagLedgerOptions? options = null)
    {
        options ??= new DagLedgerOptions();
        var store = LedgerStore.Open(path, options.MapSize, options.SyncOnCommit);
        try
        {
            var id = StoreGenesis(store, genesis, options.Limits);
            return new DagLedger(store, options, id);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Opens the existing ledger in <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The directory holds no ledger.</exception>
    public static DagLedger Open(string path, DagLedgerOptions? options = null)
    {
        options ??= new DagLedgerOptions();
        var store = LedgerStore.Open(path, options.MapSize, options.SyncOnCommit);
        try
        {
            using var txn = store.BeginRead();
            if (!txn.TryRead(store.Info, GenesisKey, out var id))
            {
                throw new InvalidOperationException($"{path} holds no ledger");
            }
            return new DagLedger(store, options, Digest.Read(id));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static Digest StoreGenesis(LedgerStore store, byte[] bytes, LedgerLimits limits)
    {
        if (!LedgerCodec.TryParseEntry(bytes, limits, out var genesis, out var rejection))
        {
            throw new ArgumentException($"invalid genesis: {rejection}", nameof(bytes));
        }
        using var txn = store.BeginWrite();
        if (txn.TryRead(store.Info, GenesisKey, out var existing))
        {
            if (Digest.Read(existing) != genesis.Id)
            {
                throw new ArgumentException($"the directory holds ledger {Digest.Read(existing)}, not {genesis.Id}", nameof(bytes));
            }
            return genesis.Id;
        }
        if (!genesis.IsGenesis)
        {
            throw new ArgumentException("the first entry of a ledger is a genesis", nameof(bytes));
        }
        if (!SignatureValid(genesis, out rejection) || !Allows(genesis.Header.Genesis, genesis.Header.SignerScheme, genesis.Header.SignerPublicKey.Span, out rejection))
        {
            throw new ArgumentException($"invalid genesis: {rejection}", nameof(bytes));
        }
        var id = genesis.Id.ToArray();
        var setup = genesis.Header.Genesis;
        txn.Set(store.Entries, id, bytes);
        txn.Set(store.Meta, id, new EntryMeta { Height = 0, Nest = "", SettingsId = genesis.Id.ToByteString(), SettingsSequence = 0 }.ToByteArray());
        txn.Set(store.Setups, id, setup.ToByteArray());
        foreach (var nest in setup.Nests)
        {
            txn.Set(store.Heads, HeadKey(nest.Name, genesis.Id), []);
        }
        var orderKey = OrderKey(0, genesis.Id);
        txn.Set(store.Order, orderKey, []);
        txn.Set(store.Undo, orderKey, []);
        txn.Set(store.Results, id, []);
        txn.Set(store.Info, GenesisKey, id);
        LedgerStore.Check(txn.Commit(), "mdb_txn_commit");
        return genesis.Id;
    }

    /// <summary>Heads of <paramref name="nest"/>, ascending: its entries with no child in the nest (the genesis while it has none).</summary>
    public IReadOnlyList<Digest> Heads(string nest)
    {
        using var txn = _store.BeginRead();
        return HeadsOf(txn, nest);
    }

    /// <summary>
    /// The heads of every nest, ascending and without repeats. Every stored entry is an ancestor of one of them (or
    /// one of them), so they are what a peer needs to learn everything this ledger holds.
    /// </summary>
    public IReadOnlyList<Digest> AllHeads()
    {
        using var txn = _store.BeginRead();
        var heads = new SortedSet<Digest>();
        foreach (var (key, _) in txn.From(_store.Heads, []))
        {
            heads.Add(Digest.Read(key.AsSpan(key.Length - Digest.Length)));
        }
        return [.. heads];
    }

    /// <summary>Whether the entry <paramref name="id"/> is stored.</summary>
    public bool Contains(Digest id)
    {
        using var txn = _store.BeginRead();
        return txn.Has(_store.Entries, id.ToArray());
    }

    /// <summary>The stored bytes of entry <paramref name="id"/>.</summary>
    public bool TryGetEntry(Digest id, out byte[] bytes)
    {
        using var txn = _store.BeginRead();
        return txn.TryRead(_store.Entries, id.ToArray(), out bytes);
    }

    /// <summary>Every stored entry id in the total order: by height, then by id.</summary>
    public IReadOnlyList<Digest> Order()
    {
        using var txn = _store.BeginRead();
        var order = new List<Digest>();
        foreach (var (key, _) in txn.From(_store.Order, []))
        {
            order.Add(Digest.Read(key.AsSpan(8)));
        }
        return order;
    }

    /// <summary>The value at <paramref name="address"/>.</summary>
    public bool TryGetState(ReadOnlySpan<byte> address, out byte[] value)
    {
        using var txn = _store.BeginRead();
        return txn.TryRead(_store.State, address, out value);
    }

    /// <summary>Every address and value of the state, in address order (the ledger's own nonce marks included).</summary>
    public IReadOnlyList<(byte[] Address, byte[] Value)> State()
    {
        using var txn = _store.BeginRead();
        return txn.From(_store.State, []);
    }

    /// <summary>
    /// The result of each transaction of entry <paramref name="id"/> as applied in the total order: invalid when the
    /// adding node marked it so, when its nonce was used earlier in the order, or when its handler refused it.
    /// </summary>
    public bool TryGetResults(Digest id, out IReadOnlyList<TransactionResult> results)
    {
        using var txn = _store.BeginRead();
        if (!txn.TryRead(_store.Results, id.ToArray(), out var bytes))
        {
            results = [];
            return false;
        }
        results = AppliedResults.Parser.ParseFrom(bytes).Results;
        return true;
    }

    /// <summary>The entries that contain transaction <paramref name="transactionId"/> (one, unless it was replayed concurrently).</summary>
    public IReadOnlyList<Digest> EntriesOf(Digest transactionId)
    {
        using var txn = _store.BeginRead();
        var entries = new List<Digest>();
        foreach (var suffix in txn.SuffixesAfter(_store.Transactions, transactionId.ToArray()))
        {
            entries.Add(Digest.Read(suffix));
        }
        return entries;
    }

    /// <summary>The latest setup (by sequence, then id) in force at any stored entry. Reads every entry's metadata.</summary>
    public Setup CurrentSetup()
    {
        using var txn = _store.BeginRead();
        var best = ReadMeta(txn, GenesisId);
        foreach (var (_, value) in txn.From(_store.Meta, []))
        {
            var meta = EntryMeta.Parser.ParseFrom(value);
            if (Later(meta, best))
            {
                best = meta;
            }
        }
        return ReadSetup(txn, Digest.Read(best.SettingsId.Span));
    }

    private List<Digest> HeadsOf(LightningTransaction txn, string nest)
    {
        var heads = new List<Digest>();
        foreach (var suffix in txn.SuffixesAfter(_store.Heads, NestPrefix(nest)))
        {
            heads.Add(Digest.Read(suffix));
        }
        return heads;
    }

    private EntryMeta ReadMeta(LightningTransaction txn, Digest id)
    {
        if (!txn.TryRead(_store.Meta, id.ToArray(), out var bytes))
        {
            throw new LedgerStoreException($"entry {id} has no metadata");
        }
        return EntryMeta.Parser.ParseFrom(bytes);
    }

    private Setup ReadSetup(LightningTransaction txn, Digest settingsId)
    {
        if (!txn.TryRead(_store.Setups, settingsId.ToArray(), out var bytes))
        {
            throw new LedgerStoreException($"setup {settingsId} is not stored");
        }
        return Setup.Parser.ParseFrom(bytes);
    }

    /// <summary>Whether the setup in force at <paramref name="a"/> replaces that at <paramref name="b"/>: higher sequence, then higher id.</summary>
    private static bool Later(EntryMeta a, EntryMeta b) =>
        a.SettingsSequence > b.SettingsSequence
        || (a.SettingsSequence == b.SettingsSequence && a.SettingsId.Span.SequenceCompareTo(b.SettingsId.Span) > 0);

    internal static byte[] OrderKey(ulong height, Digest id)
    {
        var key = new byte[8 + Digest.Length];
        BinaryPrimitives.WriteUInt64BigEndian(key, height);
        id.CopyTo(key.AsSpan(8));
        return key;
    }

    private static byte[] NestPrefix(string nest)
    {
        var name = Encoding.UTF8.GetBytes(nest);
        var prefix = new byte[name.Length + 1];
        name.CopyTo(prefix, 0);
        return prefix;
    }

    private static byte[] HeadKey(string nest, Digest id)
    {
        var prefix = NestPrefix(nest);
        var key = new byte[prefix.Length + Digest.Length];
        prefix.CopyTo(key, 0);
        id.CopyTo(key.AsSpan(prefix.Length));
        return key;
    }

    private static byte[] Concat(Digest a, Digest b)
    {
        var key = new byte[2 * Digest.Length];
        a.CopyTo(key);
        b.CopyTo(key.AsSpan(Digest.Length));
        return key;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, Digest b)
    {
        var key = new byte[a.Length + Digest.Length];
        a.CopyTo(key);
        b.CopyTo(key.AsSpan(a.Length));
        return key;
    }

    /// <summary>Closes the store. Not to be called while an add or read is running.</summary>
    public void Dispose() => _store.Dispose();
}
