using IceFire.Ledger.State;

namespace IceFire.Ledger;

/// <summary>How to open a <see cref="DagLedger"/>.</summary>
public sealed record DagLedgerOptions
{
    /// <summary>Bounds on one entry.</summary>
    public LedgerLimits Limits { get; init; } = new();

    /// <summary>The in-process handlers of the families the setup enables (the settings family is built in).</summary>
    public IReadOnlyList<ITransactionHandler> Handlers { get; init; } = [];

    /// <summary>LMDB map size in bytes (1 GiB): the most the store may hold. The file grows only as data is written.</summary>
    public long MapSize { get; init; } = 1L << 30;

    /// <summary>
    /// Whether each add is on disk when it returns (true). False skips the fsync (MDB_NOSYNC): a crash may lose the
    /// latest adds but never damages the store; for tests and for ledgers that a peer can refill by sync.
    /// </summary>
    public bool SyncOnCommit { get; init; } = true;
}
