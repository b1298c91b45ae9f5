using System.Buffers;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Storage.Keyspace;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Tenants;

/// <summary>
/// The tenant's side of WATCH: a change counter for every key some connection watches. Writes touch the keys
/// they change (Redis' signalModifiedKey); EXEC compares the counters a connection saw at WATCH time with the
/// current ones. Keys nobody watches cost one empty-dictionary check per touch.
/// </summary>
/// <remarks>
/// Used only on the tenant's writer thread. Every change is journaled so that a write transaction that must
/// run again (the map filled) can roll the watches back to where the transaction started.
/// </remarks>
internal sealed class KeyWatches
{
    private readonly Dictionary<byte[], Entry> _entries = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], Entry>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly List<Action> _undo = [];
    private long _clock;
    // Versions below this were handed out before the last Reset: a watch holding one can no longer be trusted.
    private long _validFrom;

    public KeyWatches()
    {
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Number of distinct watched keys.</summary>
    public int Count => _entries.Count;

    /// <summary>Starts a write transaction: changes from here on can be rolled back.</summary>
    public void Begin() => _undo.Clear();

    /// <summary>Undoes every change since <see cref="Begin"/>.</summary>
    public void Rollback()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            _undo[i]();
        }
        _undo.Clear();
    }

    /// <summary>
    /// Forgets every watch: each watch set registered before fails its EXEC, and releasing it later changes nothing.
    /// Every version handed out from now on is at least <paramref name="floor"/>, so versions given by another
    /// replica under an earlier floor (a lower Raft term) can never be taken for this one's.
    /// </summary>
    public void Reset(long floor)
    {
        _entries.Clear();
        _undo.Clear();
        _clock = Math.Max(_clock + 1, floor);
        _validFrom = _clock;
    }

    /// <summary>
    /// EXEC under WATCH (Redis' execCommand): when every watched key of <paramref name="batch"/> is as it was,
    /// writes the reply's array header; otherwise a null array, and marks the set failed. Either way the watches
    /// are dropped (Redis unwatches before running the queued commands). True when the queued commands may run.
    /// </summary>
    public bool BeginExec(CommandBatch batch, RedisKeyspace keyspace, LmdbTransaction txn, long nowMs)
    {
        var watches = batch.Watches!;
        var unchanged = Unchanged(watches, (db, key) => keyspace.TryGetRaw(txn, db, key, out var value) && value.IsExpired(nowMs));
        watches.Failed = !unchanged;
        Release(watches);
        if (!unchanged)
        {
            batch.Replies.WriteNullArray();
            return false;
        }
        batch.Replies.WriteArrayHeader(batch.ExecCount);
        return true;
    }

    /// <summary>
    /// Adds <paramref name="key"/> to <paramref name="watches"/> with what EXEC will compare against; a key the
    /// set already watches stays as it was, as in Redis.
    /// </summary>
    public void Watch(WatchSet watches, int db, ReadOnlySpan<byte> key, bool expired)
    {
        foreach (var watched in watches.Keys)
        {
            if (watched.Db == db && key.SequenceEqual(watched.Key))
            {
                return;
            }
        }
        var composite = Compose(db, key);
        if (!_entries.TryGetValue(composite, out var entry))
        {
            entry = new Entry { Version = _clock, ChangeVersion = _clock };
            _entries.Add(composite, entry);
            _undo.Add(() => _entries.Remove(composite));
        }
        entry.Refs++;
        watches.Keys.Add(new WatchedKey(db, key.ToArray(), entry.Version, entry.ChangeVersion, expired));
        _undo.Add(() =>
        {
            entry.Refs--;
            watches.Keys.RemoveAt(watches.Keys.Count - 1);
        });
    }

    /// <summary>
    /// Records a change of <paramref name="key"/>. <paramref name="byExpiry"/> marks the removal of a key whose
    /// time was up, which does not count as a change for a connection that watched the key already expired.
    /// </summary>
    public void Touch(int db, ReadOnlySpan<byte> key, bool byExpiry = false)
    {
        if (_entries.Count == 0)
        {
            return;
        }
        byte[]? rented = null;
        var length = key.Length + 1;
        var composite = length <= 256 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        composite[0] = (byte)db;
        key.CopyTo(composite[1..]);
        if (_bySpan.TryGetValue(composite, out var entry))
        {
            var (version, change) = (entry.Version, entry.ChangeVersion);
            _undo.Add(() => (entry.Version, entry.ChangeVersion) = (version, change));
            entry.Version = ++_clock;
            if (!byExpiry)
            {
                entry.ChangeVersion = _clock;
            }
        }
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The watched keys of <paramref name="db"/>, for FLUSHDB and FLUSHALL to touch those that exist.</summary>
    public List<byte[]> KeysOf(int db)
    {
        var keys = new List<byte[]>();
        foreach (var composite in _entries.Keys)
        {
            if (composite[0] == db)
            {
                keys.Add(composite[1..]);
            }
        }
        return keys;
    }

    /// <summary>
    /// True when no watched key of <paramref name="watches"/> changed since WATCH. <paramref name="isExpired"/>
    /// tells whether a key's time is up now: a key that was live at WATCH and has expired since counts as
    /// changed even before anything removes it, as in Redis.
    /// </summary>
    public bool Unchanged(WatchSet watches, Func<int, byte[], bool> isExpired)
    {
        foreach (var watched in watches.Keys)
        {
            if (watched.Version < _validFrom || !_entries.TryGetValue(Compose(watched.Db, watched.Key), out var entry))
            {
                return false;
            }
            if (watched.ExpiredAtWatch)
            {
                if (entry.ChangeVersion != watched.ExpiredVersion)
                {
                    return false;
                }
            }
            else if (entry.Version != watched.Version || isExpired(watched.Db, watched.Key))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Drops every watch of <paramref name="watches"/> (EXEC, UNWATCH, DISCARD, disconnect).</summary>
    public void Release(WatchSet watches)
    {
        if (watches.Keys.Count == 0)
        {
            return;
        }
        var released = watches.Keys.ToArray();
        foreach (var watched in released)
        {
            if (watched.Version < _validFrom)
            {
                continue; // Its entry went with the Reset; a newer entry for the key belongs to others.
            }
            var composite = Compose(watched.Db, watched.Key);
            if (_entries.TryGetValue(composite, out var entry))
            {
                entry.Refs--;
                if (entry.Refs == 0)
                {
                    _entries.Remove(composite);
                }
                _undo.Add(() =>
                {
                    entry.Refs++;
                    _entries[composite] = entry;
                });
            }
        }
        watches.Keys.Clear();
        _undo.Add(() => watches.Keys.AddRange(released));
    }

    private static byte[] Compose(int db, ReadOnlySpan<byte> key)
    {
        var composite = new byte[key.Length + 1];
        composite[0] = (byte)db;
        key.CopyTo(composite.AsSpan(1));
        return composite;
    }

    private sealed class Entry
    {
        public int Refs;

        /// <summary>Clock value of the last change of any kind.</summary>
        public long Version;

        /// <summary>Clock value of the last change that was not an expiry.</summary>
        public long ChangeVersion;
    }

    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
