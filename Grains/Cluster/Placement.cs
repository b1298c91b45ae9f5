namespace IceFire.Grains.Cluster;

/// <summary>
/// Where a tenant's replicas go: rendezvous (highest random weight) hashing of the tenant's name with each silo's
/// id. Every silo computes the same ranking from the same member list, and a silo joining or leaving moves only the
/// replicas whose ranking it enters or leaves.
/// </summary>
public static class Placement
{
    /// <summary>The first <paramref name="count"/> of <paramref name="members"/> in the tenant's ranking.</summary>
    public static List<ulong> Choose(string tenant, IEnumerable<ulong> members, int count) =>
        Rank(tenant, members).Take(count).ToList();

    /// <summary>Every member, best first (ties, which need equal 64-bit weights, by id).</summary>
    public static IEnumerable<ulong> Rank(string tenant, IEnumerable<ulong> members)
    {
        var key = NameHash(tenant);
        return members.Distinct().OrderByDescending(m => Weight(key, m)).ThenBy(m => m);
    }

    /// <summary>The weight of <paramref name="member"/> for a tenant whose name hashes to <paramref name="key"/>.</summary>
    public static ulong Weight(ulong key, ulong member) => Mix(key ^ Mix(member + 0x9E3779B97F4A7C15UL));

    /// <summary>FNV-1a over the name's UTF-16 code units: stable across processes and versions, unlike string.GetHashCode.</summary>
    public static ulong NameHash(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hash = 0xcbf29ce484222325UL;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 0x100000001b3UL;
        }
        return Mix(hash);
    }

    // The SplitMix64 finalizer: every input bit affects every output bit.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
