namespace IceFire.Ledger;

/// <summary>Bounds on what one entry may hold; larger entries are refused as <see cref="Verification.RejectReason.Oversize"/>.</summary>
public sealed record LedgerLimits
{
    /// <summary>Largest stored entry in bytes (4 MiB).</summary>
    public int MaxEntryBytes { get; init; } = 4 << 20;

    /// <summary>Most transactions in one entry (1,000).</summary>
    public int MaxTransactionsPerEntry { get; init; } = 1000;

    /// <summary>Most parents of one entry (64).</summary>
    public int MaxParents { get; init; } = 64;

    /// <summary>Longest transaction nonce in bytes (64).</summary>
    public int MaxNonceBytes { get; init; } = 64;

    /// <summary>Most address prefixes in a transaction's inputs, and in its outputs (256).</summary>
    public int MaxAddressPrefixes { get; init; } = 256;
}
