namespace IceFire.Ledger.Sync;

/// <summary>Batch sizes of incremental sync.</summary>
public sealed record SyncOptions
{
    /// <summary>Most ids asked for in one request (64).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Most entries in one answer, the asked-for ones and the ancestors added to them (256).</summary>
    public int MaxEntriesPerAnswer { get; init; } = 256;

    /// <summary>Most bytes of entries in one answer (8 MiB); the asked-for entries are always sent.</summary>
    public int MaxAnswerBytes { get; init; } = 8 << 20;

    /// <summary>
    /// Most entries a puller keeps waiting for their parents (10,000). Past it, an entry that would wait is dropped
    /// (counted): a peer cannot make the puller hold unbounded memory with entries whose parents never come, and a
    /// dropped entry is fetched again by a later session.
    /// </summary>
    public int MaxParked { get; init; } = 10_000;
}
