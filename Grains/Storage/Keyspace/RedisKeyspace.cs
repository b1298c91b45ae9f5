using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// The 16 logical Redis databases of one tenant inside its LMDB environment. Database n keeps its keys
/// in the LMDB database <c>keys{n}</c> (encoded key to <see cref="StoredValue"/>) and an expiry index in
/// <c>exp{n}</c> (expire-at as big-endian ms, then the encoded key), so the active sweep reads expired
/// keys in time order. Reads may run on any thread; writes take the environment's write transaction,
/// which the owner keeps on one thread.
/// </summary>
public sealed partial class RedisKeyspace
{
    public const int DatabaseCount = 16;

    private readonly LmdbDatabase[] _keys = new LmdbDatabase[DatabaseCount];
    private readonly LmdbDatabase[] _expires = new LmdbDatabase[DatabaseCount];
    private long _expiredKeys;

    private RedisKeyspace(LmdbEnvironment env)
    {
        Environment = env;
    }

    public LmdbEnvironment Environment { get; }

    /// <summary>Told of keys created and keys removed because their time was up; called on the writer's thread.</summary>
    public IKeyspaceObserver? Observer { get; set; }

    /// <summary>Keys removed because their time was up, since the keyspace was opened.</summary>
    public long ExpiredKeys => Interlocked.Read(ref _expiredKeys);

    /// <summary>
    /// Sets <see cref="ExpiredKeys"/> back to a value read before a write transaction that was then
    /// aborted: the keys it removed are still there, and a retry counts them again.
    /// </summary>
    public void RestoreExpiredKeys(long value) => Interlocked.Exchange(ref _expiredKeys, value);

    /// <summary>
    /// Opens the keyspace in <paramref name="env"/>. A new environment is stamped with the format; an existing one
    /// must carry the stamp, or <see cref="StorageCorruptionException"/> is thrown and nothing is written. An
    /// environment of format 1 (records without checksums) is upgraded in place, in one write transaction, before
    /// anything reads it (<see cref="UpgradeInPlace"/>).
    /// </summary>
    public static RedisKeyspace Open(LmdbEnvironment env, bool isNew)
    {
        while (true)
        {
            try
            {
                return OpenOnce(env, isNew);
            }
            catch (LmdbMapFullException)
            {
                // Only an upgrade writes enough to fill the map; nothing of it was committed.
                env.Grow();
            }
        }
    }

    private static RedisKeyspace OpenOnce(LmdbEnvironment env, bool isNew)
    {
        var keyspace = new RedisKeyspace(env);
        using (var txn = env.BeginWrite())
        {
            LmdbDatabase meta;
            try
            {
                meta = txn.OpenDatabase("meta", create: isNew);
            }
            catch (LmdbException error) when (error.ErrorCode == (int)LightningDB.MDBResultCode.NotFound)
            {
                throw new StorageCorruptionException($"{env.Path} has no keyspace format stamp");
            }
            var format = ReadFormat(txn, meta, env.Path);
            if (format == 0 && !isNew)
            {
                throw new StorageCorruptionException($"{env.Path} has no keyspace format stamp");
            }
            keyspace._meta = meta;
            keyspace._members = txn.OpenDatabase("members", create: true);
            keyspace._nextCollectionId = ReadCollectionCounter(txn, meta);
            for (var db = 0; db < DatabaseCount; db++)
            {
                keyspace._keys[db] = txn.OpenDatabase($"keys{db}", create: true);
                keyspace._expires[db] = txn.OpenDatabase($"exp{db}", create: true);
            }
            if (format != CurrentFormat)
            {
                UpgradeInPlace(txn, env.Path);
            }
            txn.Commit();
        }
        return keyspace;
    }

    /// <summary>The LMDB database of logical database <paramref name="db"/>'s keys, for cursor walks.</summary>
    public LmdbDatabase KeysOf(int db) => _keys[db];

    /// <summary>Keys in <paramref name="db"/>, counting expired keys not yet removed (as Redis' DBSIZE does).</summary>
    public long Count(LmdbTransaction txn, int db) => txn.Count(_keys[db]);

    /// <summary>Keys in <paramref name="db"/> that carry a TTL.</summary>
    public long CountExpires(LmdbTransaction txn, int db) => txn.Count(_expires[db]);

    /// <summary>Reads a live key; an expired key reads as absent.</summary>
    public bool TryGet(LmdbTransaction txn, int db, ReadOnlySpan<byte> key, long nowMs, out StoredValue value)
    {
        if (!TryGetRaw(txn, db, key, out value))
        {
            return false;
        }
        return !value.IsExpired(nowMs);
    }

    /// <summary>Reads a key whether or not its time is up.</summary>
    public bool TryGetRaw(LmdbTransaction txn, int db, ReadOnlySpan<byte> key, out StoredValue value)
    {
        Span<byte> encoded = stackalloc byte[KeyEncoding.MaxEncodedLength];
        var length = KeyEncoding.Encode(key, encoded);
        if (!txn.TryGet(_keys[db], encoded[..length], out var raw))
        {
            value = default;
            return false;
        }
        value = StoredValue.Read(encoded[..length], raw, db);
        // A long key's LMDB key is a prefix and a hash; the stored whole key settles it exactly.
        return length <= KeyEncoding.MaxInlineKey || value.FullKey.SequenceEqual(key);
    }

    /// <summary>Reads a live key for a write; an expired key is removed here (lazy expiry) and reads as absent.</summary>
    public bool TryGetForWrite(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> key, long nowMs, out StoredValue value)
    {
        if (!TryGetRaw(txn, db, key, out value))
        {
            return false;
        }
        if (!value.IsExpired(nowMs))
        {
            return true;
        }
        DeleteExisting(txn, db, key, value);
        Interlocked.Increment(ref _expiredKeys);
        Observer?.KeyExpired(db, key);
        value = default;
        return false;
    }

    /// <summary>
    /// Writes <paramref name="key"/> with <paramref name="payload"/>, replacing any value, and keeps the expiry index in
    /// step with <paramref name="expireAtMs"/> (0 for none). The record is sealed with its checksum.
    /// </summary>
    /// <remarks>
    /// When the key held a collection, its members are removed, unless <paramref name="keepMembers"/> says the
    /// new value is the same collection's updated header.
    /// </remarks>
    public void Put(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> key, ValueKind kind, long expireAtMs, ReadOnlySpan<byte> payload,
        bool keepMembers = false)
    {
        if (Overlaps(txn, payload))
        {
            // The payload points into the map; a write may move the page under it.
            var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
            try
            {
                payload.CopyTo(copy);
                PutCopied(txn, db, key, kind, expireAtMs, copy.AsSpan(0, payload.Length), keepMembers);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
            return;
        }
        PutCopied(txn, db, key, kind, expireAtMs, payload, keepMembers);
    }

    private void PutCopied(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> key, ValueKind kind, long expireAtMs, ReadOnlySpan<byte> payload,
        bool keepMembers)
    {
        Span<byte> encoded = stackalloc byte[KeyEncoding.MaxEncodedLength];
        var length = KeyEncoding.Encode(key, encoded);
        encoded = encoded[..length];
        var previousExpiry = 0L;
        if (txn.TryGet(_keys[db], encoded, out var old))
        {
            var previous = StoredValue.Read(encoded, old, db);
            previousExpiry = previous.ExpireAtMs;
            if (!keepMembers && previous.Kind != ValueKind.String)
            {
                DeleteAllMembers(txn, CollectionHeader.Read(previous.Payload).Id);
            }
        }
        else
        {
            Observer?.KeyCreated(db, key);
        }
        if (previousExpiry != expireAtMs)
        {
            if (previousExpiry != 0)
            {
                RemoveExpiryEntry(txn, db, encoded, previousExpiry);
            }
            if (expireAtMs != 0)
            {
                AddExpiryEntry(txn, db, encoded, expireAtMs);
            }
        }
        var overhead = StoredValue.Overhead(key);
        var room = txn.Reserve(_keys[db], encoded, checked(overhead + payload.Length));
        var start = StoredValue.WriteHeader(room, kind, expireAtMs, key);
        payload.CopyTo(room[start..]);
        RecordChecksum.Seal(encoded, room);
    }

    /// <summary>Deletes a key; true when it existed and was live.</summary>
    public bool Delete(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> key, long nowMs)
    {
        if (!TryGetRaw(txn, db, key, out var value))
        {
            return false;
        }
        var expired = value.IsExpired(nowMs);
        DeleteExisting(txn, db, key, value);
        if (expired)
        {
            Interlocked.Increment(ref _expiredKeys);
            Observer?.KeyExpired(db, key);
            return false;
        }
        return true;
    }

    /// <summary>
    /// Removes a key and its expiry entry but keeps a collection's members, because the collection now lives
    /// under another key (RENAME).
    /// </summary>
    public void DeleteKeyOnly(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> key)
    {
        if (!TryGetRaw(txn, db, key, out var value))
        {
            return;
        }
        var expireAt = value.ExpireAtMs;
        Span<byte> encoded = stackalloc byte[KeyEncoding.MaxEncodedLength];
        var length = KeyEncoding.Encode(key, encoded);
        txn.Delete(_keys[db], encoded[..length]);
        if (expireAt != 0)
        {
            RemoveExpiryEntry(txn, db, encoded[..length], expireAt);
        }
    }

    /// <summary>Changes the expiry of an existing key (0 removes it). The caller has checked the key is live.</summary>
    public void SetExpiry(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> key, long expireAtMs)
    {
        Span<byte> encoded = stackalloc byte[KeyEncoding.MaxEncodedLength];
        var length = KeyEncoding.Encode(key, encoded);
        encoded = encoded[..length];
        if (!txn.TryGet(_keys[db], encoded, out var raw))
        {
            return;
        }
        var previous = StoredValue.Read(encoded, raw, db).ExpireAtMs;
        if (previous == expireAtMs)
        {
            return;
        }
        var copy = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var bytes = copy.AsSpan(0, raw.Length);
            raw.CopyTo(bytes);
            StoredValue.SetExpireAt(bytes, expireAtMs);
            RecordChecksum.Seal(encoded, bytes);
            txn.Put(_keys[db], encoded, bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
        if (previous != 0)
        {
            RemoveExpiryEntry(txn, db, encoded, previous);
        }
        if (expireAtMs != 0)
        {
            AddExpiryEntry(txn, db, encoded, expireAtMs);
        }
    }

    /// <summary>Empties logical database <paramref name="db"/>.</summary>
    public void Clear(LmdbWriteTransaction txn, int db)
    {
        var collections = new List<long>();
        using (var cursor = txn.OpenCursor(_keys[db]))
        {
            for (var more = cursor.First(); more; more = cursor.Next())
            {
                // A record that fails its checksum goes with the rest; its collection id cannot be trusted, so
                // its members (if any) stay behind, unreachable, rather than another collection's being removed.
                if (StoredValue.TryRead(cursor.Key, cursor.Value, out var value) && value.Kind != ValueKind.String)
                {
                    collections.Add(CollectionHeader.Read(value.Payload).Id);
                }
            }
        }
        foreach (var id in collections)
        {
            DeleteAllMembers(txn, id);
        }
        txn.Clear(_keys[db]);
        txn.Clear(_expires[db]);
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> keys whose time is up, oldest expiry first, across all
    /// databases; returns how many were removed.
    /// </summary>
    public int SweepExpired(LmdbWriteTransaction txn, long nowMs, int limit)
    {
        var removed = 0;
        Span<byte> encoded = stackalloc byte[KeyEncoding.MaxEncodedLength];
        for (var db = 0; db < DatabaseCount && removed < limit; db++)
        {
            while (removed < limit)
            {
                int length;
                using (var cursor = txn.OpenCursor(_expires[db]))
                {
                    if (!cursor.First())
                    {
                        break;
                    }
                    var entry = cursor.Key;
                    var expireAt = BinaryPrimitives.ReadInt64BigEndian(entry);
                    if (expireAt > nowMs)
                    {
                        break;
                    }
                    length = entry.Length - 8;
                    entry[8..].CopyTo(encoded);
                    cursor.DeleteCurrent();
                }
                if (txn.TryGet(_keys[db], encoded[..length], out var raw))
                {
                    // The index says the key's time is up: every replica removes it. A record that fails its checksum
                    // is removed too, but its members are left, since its collection id cannot be trusted.
                    if (StoredValue.TryRead(encoded[..length], raw, out var value))
                    {
                        Observer?.KeyExpired(db, DecodeKey(encoded[..length], value));
                        if (value.Kind != ValueKind.String)
                        {
                            DeleteAllMembers(txn, CollectionHeader.Read(value.Payload).Id);
                        }
                    }
                    else
                    {
                        Observer?.KeyExpired(db, StoredValueChecksumException.KeyOf(encoded[..length], raw));
                    }
                    txn.Delete(_keys[db], encoded[..length]);
                }
                removed++;
            }
        }
        Interlocked.Add(ref _expiredKeys, removed);
        return removed;
    }

    /// <summary>The earliest expiry in any database, or 0 when no key has a TTL.</summary>
    public long NextExpiry(LmdbTransaction txn)
    {
        var next = 0L;
        for (var db = 0; db < DatabaseCount; db++)
        {
            using var cursor = txn.OpenCursor(_expires[db]);
            if (cursor.First())
            {
                var at = BinaryPrimitives.ReadInt64BigEndian(cursor.Key);
                next = next == 0 ? at : Math.Min(next, at);
            }
        }
        return next;
    }

    /// <summary>The Redis key of an entry met on a cursor walk of <see cref="KeysOf"/>.</summary>
    public static ReadOnlySpan<byte> DecodeKey(ReadOnlySpan<byte> encoded, in StoredValue value) =>
        KeyEncoding.IsHashed(encoded) ? value.FullKey : encoded;

    private void DeleteExisting(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> key, in StoredValue value)
    {
        // Read what is needed before the first write moves the value's bytes.
        var expireAtMs = value.ExpireAtMs;
        var collectionId = value.Kind == ValueKind.String ? 0 : CollectionHeader.Read(value.Payload).Id;
        if (collectionId != 0)
        {
            DeleteAllMembers(txn, collectionId);
        }
        Span<byte> encoded = stackalloc byte[KeyEncoding.MaxEncodedLength];
        var length = KeyEncoding.Encode(key, encoded);
        txn.Delete(_keys[db], encoded[..length]);
        if (expireAtMs != 0)
        {
            RemoveExpiryEntry(txn, db, encoded[..length], expireAtMs);
        }
    }

    private void AddExpiryEntry(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> encoded, long expireAtMs)
    {
        Span<byte> entry = stackalloc byte[8 + KeyEncoding.MaxEncodedLength];
        BinaryPrimitives.WriteInt64BigEndian(entry, expireAtMs);
        encoded.CopyTo(entry[8..]);
        txn.Put(_expires[db], entry[..(8 + encoded.Length)], default);
    }

    private void RemoveExpiryEntry(LmdbWriteTransaction txn, int db, ReadOnlySpan<byte> encoded, long expireAtMs)
    {
        Span<byte> entry = stackalloc byte[8 + KeyEncoding.MaxEncodedLength];
        BinaryPrimitives.WriteInt64BigEndian(entry, expireAtMs);
        encoded.CopyTo(entry[8..]);
        txn.Delete(_expires[db], entry[..(8 + encoded.Length)]);
    }

    private static unsafe bool Overlaps(LmdbWriteTransaction txn, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }
        var info = txn.Environment.MapRange;
        fixed (byte* p = payload)
        {
            var address = (nint)p;
            return address >= info.Start && address < info.Start + info.Length;
        }
    }
}
