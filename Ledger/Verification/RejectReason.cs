namespace IceFire.Ledger.Verification;

/// <summary>Why an entry was refused. The numbers are reported and counted: append-only.</summary>
public enum RejectReason
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>Not a parsable entry, or a field out of its allowed form (lengths, counts, hex).</summary>
    Malformed = 1,

    /// <summary>Parsable, but not the one canonical encoding (field order, defaults written, unknown fields, unsorted repeated fields).</summary>
    NonCanonical = 2,

    /// <summary>The body's SHA-256 differs from the header's body hash.</summary>
    BodyHashMismatch = 3,

    /// <summary>A transaction's payload SHA-256 differs from its header's payload hash.</summary>
    PayloadHashMismatch = 4,

    /// <summary>The adding node's signature does not verify against the header.</summary>
    BadEntrySignature = 5,

    /// <summary>A transaction's signature does not verify against its header.</summary>
    BadTransactionSignature = 6,

    /// <summary>The adding node's key is not allowed by the setup in force at the entry's parents.</summary>
    SignerNotAllowed = 7,

    /// <summary>A transaction's family is not enabled.</summary>
    UnknownFamily = 8,

    /// <summary>A transaction's family is enabled, but not in that version.</summary>
    FamilyVersionNotEnabled = 9,

    /// <summary>The entry's nest is not configured, or a transaction's family does not belong to it.</summary>
    NestMismatch = 10,

    /// <summary>The height is not one more than the largest height among the parents (0 for genesis).</summary>
    BadHeight = 11,

    /// <summary>A settings change lacks valid approvals from a majority of the allowed node keys.</summary>
    SettingsQuorum = 12,

    /// <summary>A settings change names another ledger, skips or repeats a sequence, or is not a valid setup.</summary>
    SettingsInvalid = 13,

    /// <summary>A transaction's signer and nonce were used before in the entry or among its ancestors.</summary>
    ReplayedNonce = 14,

    /// <summary>A transaction depends on a transaction that is not earlier in the entry or among its ancestors.</summary>
    MissingDependency = 15,

    /// <summary>A genesis entry that is not this ledger's genesis.</summary>
    WrongGenesis = 16,

    /// <summary>Larger than the ledger's limits (entry bytes, transactions or parents per entry).</summary>
    Oversize = 17,
}
