using IceFire.Ledger.Crypto;
using IceFire.Ledger.Protocol;

namespace IceFire.Ledger.Building;

/// <summary>Makes setups in canonical form: keys, families, versions and nests sorted and unique.</summary>
public sealed class SetupBuilder
{
    private readonly string _ledgerId;
    private readonly List<NodeKey> _keys = [];
    private readonly SortedDictionary<string, SortedSet<string>> _families = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedSet<string>> _nests = new(StringComparer.Ordinal);

    /// <summary>Starts a setup of ledger <paramref name="ledgerId"/>.</summary>
    public SetupBuilder(string ledgerId)
    {
        _ledgerId = ledgerId;
    }

    /// <summary>Starts from <paramref name="setup"/> (for a change of it).</summary>
    public static SetupBuilder From(Setup setup)
    {
        var builder = new SetupBuilder(setup.LedgerId);
        builder._keys.AddRange(setup.NodeKeys);
        foreach (var family in setup.Families)
        {
            foreach (var version in family.Versions)
            {
                builder.Family(family.Name, version);
            }
        }
        foreach (var nest in setup.Nests)
        {
            builder.Nest(nest.Name, nest.Families.ToArray());
        }
        return builder;
    }

    /// <summary>Allows <paramref name="key"/> to add entries.</summary>
    public SetupBuilder Allow(NodeKey key)
    {
        if (!_keys.Exists(k => LedgerCodecKeysEqual(k, key)))
        {
            _keys.Add(key);
        }
        return this;
    }

    /// <summary>Allows the public key of <paramref name="node"/> to add entries.</summary>
    public SetupBuilder Allow(ISigningKey node) => Allow(EntryBuilder.KeyOf(node));

    /// <summary>No longer allows <paramref name="key"/>.</summary>
    public SetupBuilder Disallow(NodeKey key)
    {
        _keys.RemoveAll(k => LedgerCodecKeysEqual(k, key));
        return this;
    }

    /// <summary>Enables <paramref name="version"/> of family <paramref name="name"/>.</summary>
    public SetupBuilder Family(string name, string version)
    {
        if (!_families.TryGetValue(name, out var versions))
        {
            _families[name] = versions = new SortedSet<string>(StringComparer.Ordinal);
        }
        versions.Add(version);
        return this;
    }

    /// <summary>Declares nest <paramref name="name"/> holding <paramref name="families"/>.</summary>
    public SetupBuilder Nest(string name, params string[] families)
    {
        if (!_nests.TryGetValue(name, out var set))
        {
            _nests[name] = set = new SortedSet<string>(StringComparer.Ordinal);
        }
        set.UnionWith(families);
        return this;
    }

    /// <summary>The setup with sequence <paramref name="sequence"/>.</summary>
    public Setup Build(ulong sequence = 0)
    {
        var setup = new Setup { LedgerId = _ledgerId, Sequence = sequence };
        var keys = new List<NodeKey>(_keys);
        keys.Sort(Format.LedgerCodec.CompareKeys);
        setup.NodeKeys.AddRange(keys);
        foreach (var (name, versions) in _families)
        {
            var family = new FamilyVersions { Name = name };
            family.Versions.AddRange(versions);
            setup.Families.Add(family);
        }
        foreach (var (name, families) in _nests)
        {
            var nest = new Nest { Name = name };
            nest.Families.AddRange(families);
            setup.Nests.Add(nest);
        }
        return setup;
    }

    private static bool LedgerCodecKeysEqual(NodeKey a, NodeKey b) => Format.LedgerCodec.CompareKeys(a, b) == 0;
}
