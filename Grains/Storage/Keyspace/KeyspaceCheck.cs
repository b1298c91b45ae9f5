using System.Buffers.Binary;
using System.Security.Cryptography;
using IceFire.Grains.Hosting;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// Checks a keyspace offline, in one read transaction: every record's checksum (format 2), and what the encodings of
/// the Redis types let one check cheaply: the value header and long-key form, the collection headers against the
/// members they count (a list's ends too), the expiry index against the keys' expiries, and members no key owns.
/// </summary>
public static class KeyspaceCheck
{
    private const byte PrimarySpace = 0;
    private const byte ZSetOrderSpace = 1;

    /// <summary>Checks the keyspace that <paramref name="txn"/> sees; <paramref name="label"/> names it in the report.</summary>
    public static void Run(LmdbTransaction txn, string label, DataCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(report);
        var names = new HashSet<string>(LmdbEnvironment.DatabaseNames(txn), StringComparer.Ordinal);
        if (!names.Contains("meta"))
        {
            report.Damaged($"{label}: the environment has no keyspace (no meta database)");
            return;
        }
        int format;
        try
        {
            format = RedisKeyspace.ReadFormat(txn, LmdbEnvironment.OpenExistingDatabase(txn, "meta"), label);
        }
        catch (StorageCorruptionException e)
        {
            report.Damaged(e.Message);
            return;
        }
        if (format == 0)
        {
            report.Damaged($"{label}: the keyspace has no format stamp");
            return;
        }
        if (format == 1)
        {
            report.Note($"{label}: keyspace format 1 (no checksums; the next start upgrades it): structure checked only");
        }
        var checksums = format >= 2;
        var collections = new Dictionary<long, Collection>();
        long keys = 0, damagedBefore = report.Damage.Count;
        for (var db = 0; db < RedisKeyspace.DatabaseCount; db++)
        {
            if (names.Contains($"keys{db}"))
            {
                keys += CheckKeys(txn, db, label, checksums, collections, report, names.Contains($"exp{db}"));
            }
        }
        var members = names.Contains("members") ? CheckMembers(txn, label, checksums, collections, report) : 0;
        foreach (var (id, c) in collections)
        {
            var where = $"{label} db {c.Db} key '{StoredValueChecksumException.Printable(c.Key)}'";
            if (c.Primary != c.Count)
            {
                report.Damaged($"{where}: its header counts {c.Count} elements, the members database holds {c.Primary}");
            }
            if (c.Kind == ValueKind.ZSet && c.Order != c.Count)
            {
                report.Damaged($"{where}: sorted set counts {c.Count} members, its score order holds {c.Order}");
            }
            if (c.Kind == ValueKind.List && c.Count > 0 && c.Tail - c.Head + 1 != c.Count)
            {
                report.Damaged($"{where}: list counts {c.Count} elements between positions {c.Head} and {c.Tail}");
            }
        }
        if (report.Damage.Count == damagedBefore)
        {
            report.Ok($"{label}: keyspace format {format}, {keys} keys, {members} member records{(checksums ? ", every checksum" : "")}");
        }
    }

    private static long CheckKeys(LmdbTransaction txn, int db, string label, bool checksums, Dictionary<long, Collection> collections,
        DataCheckReport report, bool hasExpiryIndex)
    {
        var keys = 0L;
        var withExpiry = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var cursor = txn.OpenCursor(LmdbEnvironment.OpenExistingDatabase(txn, $"keys{db}")))
        {
            for (var more = cursor.First(); more; more = cursor.Next())
            {
                keys++;
                var encoded = cursor.Key;
                var raw = cursor.Value;
                var where = $"{label} db {db} key '{StoredValueChecksumException.Printable(StoredValueChecksumException.KeyOf(encoded, raw))}'";
                StoredValue value;
                try
                {
                    if (!checksums)
                    {
                        value = StoredValue.Parse(raw);
                    }
                    else if (!StoredValue.TryRead(encoded, raw, out value))
                    {
                        report.Damaged($"{where}: stored value failed its checksum");
                        continue;
                    }
                }
                catch (StorageCorruptionException e)
                {
                    report.Damaged($"{where}: {e.Message}");
                    continue;
                }
                var problem = Shape(encoded, value, db, collections);
                if (problem is not null)
                {
                    report.Damaged($"{where}: {problem}");
                }
                if (value.HasExpiry)
                {
                    withExpiry[Convert.ToHexString(encoded)] = value.ExpireAtMs;
                }
            }
        }
        var indexed = 0;
        if (hasExpiryIndex)
        {
            using var cursor = txn.OpenCursor(LmdbEnvironment.OpenExistingDatabase(txn, $"exp{db}"));
            for (var more = cursor.First(); more; more = cursor.Next())
            {
                var entry = cursor.Key;
                if (entry.Length < 9 || !withExpiry.TryGetValue(Convert.ToHexString(entry[8..]), out var at) ||
                    at != BinaryPrimitives.ReadInt64BigEndian(entry))
                {
                    report.Damaged($"{label} db {db}: an expiry index entry names no key with that expiry");
                    continue;
                }
                indexed++;
            }
        }
        if (indexed != withExpiry.Count)
        {
            report.Damaged($"{label} db {db}: {withExpiry.Count} keys have an expiry, the expiry index holds {indexed}");
        }
        return keys;
    }

    /// <summary>What is wrong with a value's shape, or null.</summary>
    private static string? Shape(ReadOnlySpan<byte> encoded, in StoredValue value, int db, Dictionary<long, Collection> collections)
    {
        if (value.Kind > ValueKind.Stream)
        {
            return $"unknown type tag {(byte)value.Kind}";
        }
        var isLong = encoded.Length == KeyEncoding.HashedLength;
        if (isLong != ((value.Flags & ValueFlags.LongKey) != 0))
        {
            return "the long-key flag does not match the key's encoding";
        }
        if (isLong)
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(value.FullKey, hash);
            if (!value.FullKey.StartsWith(encoded[..KeyEncoding.MaxInlineKey]) || !hash.SequenceEqual(encoded[KeyEncoding.MaxInlineKey..]))
            {
                return "the whole key stored with the value does not match its encoding";
            }
        }
        if (value.Kind == ValueKind.String)
        {
            return null;
        }
        var length = value.Kind == ValueKind.List ? ListHeader.Length : CollectionHeader.Length;
        if (value.Payload.Length < length)
        {
            return $"a {System.Text.Encoding.ASCII.GetString(ValueKindNames.TypeName(value.Kind))} header shorter than {length} bytes";
        }
        var header = CollectionHeader.Read(value.Payload);
        if (header.Count < 0 || header.Id <= 0)
        {
            return $"collection header with id {header.Id} and count {header.Count}";
        }
        var key = RedisKeyspace.DecodeKey(encoded, value).ToArray();
        if (collections.TryGetValue(header.Id, out var other))
        {
            return $"collection {header.Id} is also the value of db {other.Db} key '{StoredValueChecksumException.Printable(other.Key)}'";
        }
        var list = value.Kind == ValueKind.List ? ListHeader.Read(value.Payload) : default;
        collections[header.Id] = new Collection(db, key, value.Kind, header.Count) { Head = list.Head, Tail = list.Tail };
        return null;
    }

    private static long CheckMembers(LmdbTransaction txn, string label, bool checksums, Dictionary<long, Collection> collections, DataCheckReport report)
    {
        var records = 0L;
        var orphans = new Dictionary<long, long>();
        using var cursor = txn.OpenCursor(LmdbEnvironment.OpenExistingDatabase(txn, "members"));
        for (var more = cursor.First(); more; more = cursor.Next())
        {
            records++;
            var key = cursor.Key;
            var id = key.Length >= 9 ? BinaryPrimitives.ReadInt64BigEndian(key) : 0;
            collections.TryGetValue(id, out var owner);
            var where = owner is null ? $"{label} collection {id}" : $"{label} db {owner.Db} key '{StoredValueChecksumException.Printable(owner.Key)}'";
            if (key.Length < 9)
            {
                report.Damaged($"{label}: a member record has a {key.Length}-byte key");
                continue;
            }
            if (owner is null)
            {
                orphans[id] = orphans.GetValueOrDefault(id) + 1;
            }
            var raw = cursor.Value;
            if (checksums ? !RecordChecksum.IsValid(key, raw) || raw.Length < 1 + RecordChecksum.Length : raw.Length < 1)
            {
                report.Damaged($"{where}: a member record failed its checksum");
            }
            if (owner is null)
            {
                continue;
            }
            if (key[8] == PrimarySpace)
            {
                owner.Primary++;
            }
            else if (key[8] == ZSetOrderSpace && owner.Kind == ValueKind.ZSet)
            {
                owner.Order++;
            }
            else
            {
                report.Damaged($"{where}: a member record in space {key[8]}, which a {System.Text.Encoding.ASCII.GetString(ValueKindNames.TypeName(owner.Kind))} does not use");
            }
        }
        foreach (var (id, count) in orphans)
        {
            report.Note($"{label}: {count} member records of collection {id}, which no key holds (unreachable; left by a damaged key)");
        }
        return records;
    }

    private sealed class Collection(int db, byte[] key, ValueKind kind, long count)
    {
        public int Db { get; } = db;

        public byte[] Key { get; } = key;

        public ValueKind Kind { get; } = kind;

        public long Count { get; } = count;

        public long Head { get; init; }

        public long Tail { get; init; }

        public long Primary { get; set; }

        public long Order { get; set; }
    }
}
