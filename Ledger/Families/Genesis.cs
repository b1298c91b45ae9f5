using IceFire.Ledger.Building;
using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Families;

/// <summary>The genesis entry: no parents, height 0, no transactions, and the ledger's first setup.</summary>
public static class Genesis
{
    /// <summary>
    /// The genesis entry of <paramref name="setup"/> (sequence 0), signed by <paramref name="node"/>, which must be
    /// one of the setup's node keys. Its nest is the empty name: the genesis heads every nest.
    /// </summary>
    /// <exception cref="ArgumentException">The setup does not allow <paramref name="node"/>, or its sequence is not 0.</exception>
    public static byte[] Create(Setup setup, ISigningKey node)
    {
        if (setup.Sequence != 0)
        {
            throw new ArgumentException("a genesis setup has sequence 0", nameof(setup));
        }
        var key = EntryBuilder.KeyOf(node);
        if (!setup.NodeKeys.Contains(key))
        {
            throw new ArgumentException("the genesis is signed by one of its own node keys", nameof(node));
        }
        return EntryBuilder.Create(node, [], "", 0, [], genesis: setup);
    }
}
