using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Format;

/// <summary>A transaction decoded from its canonical bytes, with its id and its decoded header.</summary>
public sealed class ParsedTransaction
{
    internal ParsedTransaction(Transaction transaction, TransactionHeader header, Digest id)
    {
        Transaction = transaction;
        Header = header;
        Id = id;
    }

    /// <summary>The transaction as stored.</summary>
    public Transaction Transaction { get; }

    /// <summary>The decoded <see cref="Transaction.Header"/>.</summary>
    public TransactionHeader Header { get; }

    /// <summary>SHA-256 of the transaction's stored bytes.</summary>
    public Digest Id { get; }
}
