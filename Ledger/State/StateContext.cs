using IceFire.Ledger.Storage;
using LightningDB;

namespace IceFire.Ledger.State;

/// <summary>
/// One transaction's state access during apply: reads through its own pending writes to the store, writes buffered
/// until the ledger keeps or discards them. Declared prefixes are Sawtooth's: hex strings an address must start with.
/// </summary>
internal sealed class StateContext : IStateContext
{
    private readonly LightningTransaction _txn;
    private readonly LedgerStore _store;
    private readonly IReadOnlyList<string> _inputs;
    private readonly IReadOnlyList<string> _outputs;
    private readonly List<(byte[] Address, byte[]? Value)> _writes = [];

    public StateContext(LightningTransaction txn, LedgerStore store, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        _txn = txn;
        _store = store;
        _inputs = inputs;
        _outputs = outputs;
    }

    /// <summary>Whether an access was denied: the transaction is invalid whatever its handler said.</summary>
    public bool Denied { get; private set; }

    /// <summary>The writes in the order made; a null value deletes.</summary>
    public IReadOnlyList<(byte[] Address, byte[]? Value)> Writes => _writes;

    public StateAccess TryGet(ReadOnlySpan<byte> address, out byte[] value)
    {
        value = [];
        if (!Allowed(address, _inputs))
        {
            Denied = true;
            return StateAccess.Denied;
        }
        for (var i = _writes.Count - 1; i >= 0; i--)
        {
            if (_writes[i].Address.AsSpan().SequenceEqual(address))
            {
                if (_writes[i].Value is not { } pending)
                {
                    return StateAccess.NotFound;
                }
                value = (byte[])pending.Clone();
                return StateAccess.Ok;
            }
        }
        return _txn.TryRead(_store.State, address, out value) ? StateAccess.Ok : StateAccess.NotFound;
    }

    public StateAccess Set(ReadOnlySpan<byte> address, ReadOnlySpan<byte> value) => Write(address, value.ToArray());

    public StateAccess Delete(ReadOnlySpan<byte> address) => Write(address, null);

    private StateAccess Write(ReadOnlySpan<byte> address, byte[]? value)
    {
        if (!Allowed(address, _outputs) || ReservedNamespaces.Contains(address))
        {
            Denied = true;
            return StateAccess.Denied;
        }
        _writes.Add((address.ToArray(), value));
        return StateAccess.Ok;
    }

    private static bool Allowed(ReadOnlySpan<byte> address, IReadOnlyList<string> prefixes)
    {
        if (address.Length != Addressing.Length)
        {
            return false;
        }
        var hex = Addressing.ToHex(address);
        foreach (var prefix in prefixes)
        {
            if (hex.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>Namespaces the ledger keeps for itself: no transaction writes there, whatever its outputs declare.</summary>
internal static class ReservedNamespaces
{
    /// <summary>Where the ledger marks each signer's used nonces (one address per signer and nonce).</summary>
    public static readonly byte[] Nonces = Addressing.NamespaceBytes("icefire.ledger.nonce");

    /// <summary>The settings family's namespace.</summary>
    public static readonly byte[] Settings = Addressing.NamespaceBytes(Families.SettingsFamily.Name);

    public static bool Contains(ReadOnlySpan<byte> address) =>
        address.StartsWith(Nonces) || address.StartsWith(Settings);
}
