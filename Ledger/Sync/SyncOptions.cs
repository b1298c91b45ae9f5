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
}
