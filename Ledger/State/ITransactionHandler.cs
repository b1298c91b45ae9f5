using IceFire.Ledger.Format;

namespace IceFire.Ledger.State;

/// <summary>
/// Applies the transactions of one family to the ledger's state, in process. The ledger calls it from its one writer
/// thread, once per valid-marked transaction each time the entry is (re)applied in the total order, so
/// <see cref="Apply"/> must be deterministic: its outcome may depend only on the transaction and the state it reads
/// through the context, never on time, randomness or anything outside. Every node of a ledger registers the same
/// handlers for the families the setup enables.
/// </summary>
public interface ITransactionHandler
{
    /// <summary>The family served.</summary>
    string FamilyName { get; }

    /// <summary>The versions served.</summary>
    IReadOnlyList<string> FamilyVersions { get; }

    /// <summary>Applies <paramref name="transaction"/>; an invalid result discards all its writes.</summary>
    HandlerResult Apply(ParsedTransaction transaction, IStateContext state);
}

/// <summary>A handler's verdict on one transaction.</summary>
public readonly record struct HandlerResult(bool Valid, string Message)
{
    /// <summary>The transaction applied.</summary>
    public static HandlerResult Ok => new(true, "");

    /// <summary>The transaction is invalid for <paramref name="message"/>; its writes are discarded.</summary>
    public static HandlerResult Invalid(string message) => new(false, message);
}

/// <summary>What a state access did.</summary>
public enum StateAccess
{
    /// <summary>Read: the address holds a value. Write: done.</summary>
    Ok = 0,

    /// <summary>Read: the address holds nothing.</summary>
    NotFound = 1,

    /// <summary>Outside the transaction's declared inputs (reads) or outputs (writes), or a reserved namespace. The transaction becomes invalid.</summary>
    Denied = 2,
}

/// <summary>
/// One transaction's view of the state: reads see its own earlier writes. Reads are limited to the declared inputs,
/// writes to the declared outputs (Sawtooth's rule); one denied access makes the transaction invalid whatever the
/// handler answers. Used only during <see cref="ITransactionHandler.Apply"/>, from that call's thread.
/// </summary>
public interface IStateContext
{
    /// <summary>Reads <paramref name="address"/> (35 bytes). The value belongs to the caller.</summary>
    StateAccess TryGet(ReadOnlySpan<byte> address, out byte[] value);

    /// <summary>Sets <paramref name="address"/> to <paramref name="value"/>.</summary>
    StateAccess Set(ReadOnlySpan<byte> address, ReadOnlySpan<byte> value);

    /// <summary>Deletes <paramref name="address"/>.</summary>
    StateAccess Delete(ReadOnlySpan<byte> address);
}
