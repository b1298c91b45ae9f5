using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Format;

/// <summary>An entry decoded from its canonical bytes. The bytes are kept: they are what is stored and hashed.</summary>
public sealed class ParsedEntry
{
    internal ParsedEntry(byte[] bytes, Digest id, Entry entry, EntryHeader header, IReadOnlyList<ParsedTransaction> transactions, IReadOnlyList<Digest> parents)
    {
        Bytes = bytes;
        Id = id;
        Entry = entry;
        Header = header;
        Transactions = transactions;
        Parents = parents;
    }

    /// <summary>The stored bytes. Not to be changed.</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>.</summary>
    public Digest Id { get; }

    public Entry Entry { get; }

    public EntryHeader Header { get; }

    /// <summary>The body's transactions, in body order.</summary>
    public IReadOnlyList<ParsedTransaction> Transactions { get; }

    /// <summary>The parent ids, ascending.</summary>
    public IReadOnlyList<Digest> Parents { get; }

    /// <summary>Whether this is a genesis entry (no parents, a setup).</summary>
    public bool IsGenesis => Parents.Count == 0;

    public override string ToString() => Id.ToString();
}
