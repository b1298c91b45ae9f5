using LightningDB;

namespace IceFire.Ledger.Storage;

/// <summary>
/// The ledger's LMDB environment and its named databases. Key layouts (ids are 32 bytes, heights 8 bytes big-endian):
/// <list type="bullet">
/// <item><c>entries</c>: id → the entry's stored bytes.</item>
/// <item><c>meta</c>: id → <see cref="Records.EntryMeta"/> (height, nest, setup in force).</item>
/// <item><c>children</c>: parent id ‖ child id → empty; <c>parents</c>: child id ‖ parent id → empty.</item>
/// <item><c>heads</c>: UTF-8 nest name ‖ 0x00 ‖ id → empty.</item>
/// <item><c>order</c>: height ‖ id → empty: the total order, topological with ties broken by id.</item>
/// <item><c>transactions</c>: transaction id ‖ entry id → transaction index (4 bytes big-endian).</item>
/// <item><c>nonces</c>: SHA-256(scheme ‖ signer key ‖ nonce) ‖ entry id → empty.</item>
/// <item><c>state</c>: 35-byte address → value.</item>
/// <item><c>undo</c>: height ‖ id → <see cref="Records.UndoRecord"/>; <c>results</c>: id → <see cref="Records.AppliedResults"/>.</item>
/// <item><c>setups</c>: id of the genesis or of a settings change → the setup's bytes; <c>info</c>: "genesis" → id.</item>
/// </list>
/// One write transaction at a time (the ledger holds a lock); read transactions may run on any thread (MDB_NOTLS).
/// </summary>
internal sealed class LedgerStore : IDisposable
{
    private readonly LightningEnvironment _env;

    private LedgerStore(LightningEnvironment env)
    {
        _env = env;
        using var txn = env.BeginTransaction();
        Entries = Open(txn, "entries");
        Meta = Open(txn, "meta");
        Children = Open(txn, "children");
        Parents = Open(txn, "parents");
        Heads = Open(txn, "heads");
        Order = Open(txn, "order");
        Transactions = Open(txn, "transactions");
        Nonces = Open(txn, "nonces");
        State = Open(txn, "state");
        Undo = Open(txn, "undo");
        Results = Open(txn, "results");
        Setups = Open(txn, "setups");
        Info = Open(txn, "info");
        Check(txn.Commit(), "mdb_txn_commit");
    }

    public LightningDatabase Entries { get; }
    public LightningDatabase Meta { get; }
    public LightningDatabase Children { get; }
    public LightningDatabase Parents { get; }
    public LightningDatabase Heads { get; }
    public LightningDatabase Order { get; }
    public LightningDatabase Transactions { get; }
    public LightningDatabase Nonces { get; }
    public LightningDatabase State { get; }
    public LightningDatabase Undo { get; }
    public LightningDatabase Results { get; }
    public LightningDatabase Setups { get; }
    public LightningDatabase Info { get; }

    /// <summary>Opens (creating if absent) the store in directory <paramref name="path"/>.</summary>
    public static LedgerStore Open(string path, long mapSize, bool syncOnCommit)
    {
        LmdbLibrary.EnsureLoaded();
        Directory.CreateDirectory(path);
        var env = new LightningEnvironment(path, new EnvironmentConfiguration { MapSize = mapSize, MaxDatabases = 16 });
        // Closed by Dispose: LightningDB's finalizer would throw on the finalizer thread.
        GC.SuppressFinalize(env);
        try
        {
            env.Open(EnvironmentOpenFlags.NoThreadLocalStorage | (syncOnCommit ? EnvironmentOpenFlags.None : EnvironmentOpenFlags.NoSync), UnixAccessMode.OwnerRead | UnixAccessMode.OwnerWrite);
            return new LedgerStore(env);
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }

    public LightningTransaction BeginWrite() => _env.BeginTransaction();

    /// <summary>
    /// Writes a compacted copy of the environment as <c>data.mdb</c> in the empty directory <paramref name="path"/>
    /// (mdb_env_copy2 with MDB_CP_COMPACT). The copy runs in its own read transaction: it is the state as of the last
    /// committed write, while writes go on.
    /// </summary>
    public void CopyTo(string path)
    {
        Directory.CreateDirectory(path);
        Check(_env.CopyTo(path, compact: true), $"mdb_env_copy2({path})");
    }

    public LightningTransaction BeginRead() => _env.BeginTransaction(TransactionBeginFlags.ReadOnly);

    private static LightningDatabase Open(LightningTransaction txn, string name) =>
        txn.OpenDatabase(name, new DatabaseConfiguration { Flags = DatabaseOpenFlags.Create });

    /// <summary>Throws <see cref="LedgerStoreException"/> unless <paramref name="code"/> is success.</summary>
    public static void Check(MDBResultCode code, string operation)
    {
        if (code != MDBResultCode.Success)
        {
            LedgerStoreException.Throw(code, operation);
        }
    }

    public void Dispose() => _env.Dispose();
}
