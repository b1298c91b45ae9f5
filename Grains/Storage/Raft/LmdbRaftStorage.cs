using System.Buffers;
using System.Buffers.Binary;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Raft;
using IceFire.Raft.Storage;

namespace IceFire.Grains.Storage.Raft;

/// <summary>
/// <see cref="IRaftStorage"/> in an LMDB environment (a tenant replica's own, or one that many groups share), in the
/// database <see cref="DatabaseName"/>. A group's records live under its 8-byte group id: [group][0] its hard state,
/// [group][1][index] its entries in index order, [group][2] the <see cref="SnapshotRecord"/> of its latest snapshot,
/// whose image is a file in the group's snapshot directory (<see cref="SnapshotImages"/>). Every <see cref="Save"/>
/// is one write transaction, committed with LMDB's full sync (data, then meta page), so a batch is durable before
/// its messages are sent and a crash leaves either all of it or none; an image is durable under its final name
/// before the transaction that records it. In an environment that does not fully sync each commit (opened without
/// sync on commit, or deferring the meta page's sync), a batch is synced at once only when Raft needs it: a new term
/// or vote, an installed snapshot, or entries that a peer may count (unless <c>syncEntries</c> says no one does); the
/// rest becomes durable with the environment's next sync, which the owner then provides before it acknowledges them. LMDB's own checks stop a damaged file at open; a record that does not
/// decode, or an image that does not match its record, throws <see cref="RaftCorruptionException"/>, which makes
/// the group inoperable as the contract requires.
/// </summary>
public sealed class LmdbRaftStorage : IRaftStorage
{
    private const byte HardStateKind = 0;
    private const byte EntryKind = 1;
    private const byte SnapshotKind = 2;

    /// <summary>The LMDB database that holds the records of every group in an environment.</summary>
    public const string DatabaseName = "raft";

    private readonly LmdbEnvironment _env;
    private readonly LmdbDatabase _db;
    private readonly ulong _group;
    private readonly ConfState _bootstrap;
    private readonly SnapshotImages _images;
    private readonly Func<ulong>? _applied;
    private readonly Func<bool>? _syncEntries;
    private readonly bool _envSyncs;
    // The term and vote last persisted: a change must be synced before the vote or message that depends on it goes out.
    private ulong _term;
    private ulong _vote;
    // The last stored entry's index (the snapshot's when none), known from Load on: later entries need no delete.
    private ulong _lastIndex = ulong.MaxValue;
    private long _syncs;

    private LmdbRaftStorage(LmdbEnvironment env, LmdbDatabase db, ulong group, ConfState bootstrap, SnapshotImages images, Func<ulong>? applied,
        Func<bool>? syncEntries)
    {
        _syncEntries = syncEntries;
        _envSyncs = env.Options.SyncOnCommit && !env.Options.DeferMetaSync;
        _env = env;
        _db = db;
        _group = group;
        _bootstrap = bootstrap;
        _images = images;
        _applied = applied;
    }

    /// <summary>
    /// The store of group <paramref name="group"/> in <paramref name="env"/> (opened with sync on commit). A group
    /// seen for the first time starts from an index-0 snapshot naming <paramref name="bootstrap"/> as its members.
    /// Snapshot images go to <paramref name="snapshotDirectory"/>, by default <c>snapshots/{group:x16}</c> inside the
    /// environment's directory. <paramref name="appliedIndex"/>, when given, reads the index the state machine has
    /// durably applied (kept with its data), which <see cref="Load"/> reports so a restart neither restores an image
    /// nor re-applies entries the state machine already holds. In an environment that does not fully sync each commit,
    /// <paramref name="syncEntries"/> says, during <see cref="Save"/>, whether appended entries must be synced at once
    /// (null: always); it may answer false only when no other node relies on this node's log (a group of one member)
    /// and the owner syncs the environment before it acknowledges those entries.
    /// </summary>
    public static LmdbRaftStorage Open(LmdbEnvironment env, ulong group, ConfState bootstrap, string? snapshotDirectory = null, Func<ulong>? appliedIndex = null,
        Func<bool>? syncEntries = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(bootstrap);
        var images = new SnapshotImages(snapshotDirectory ?? Path.Combine(env.Path, "snapshots", group.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
        return new LmdbRaftStorage(env, env.OpenDatabase(DatabaseName), group, bootstrap, images, appliedIndex, syncEntries);
    }

    /// <summary>Explicit syncs this store made (only in an environment that does not fully sync each commit).</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <inheritdoc/>
    public RaftInitialState Load()
    {
        HardState hardState;
        Snapshot snapshot;
        SnapshotImageInfo image;
        var entries = new List<Entry>();
        using (var txn = _env.BeginRead())
        {
            hardState = ReadHardState(txn);
            (snapshot, image) = ReadSnapshot(txn);
            using var cursor = txn.OpenCursor(_db);
            var expected = snapshot.Metadata.Index + 1;
            for (var more = cursor.SeekAtOrAfter(Key(EntryKind, expected)); more && IsEntryKey(cursor.Key); more = cursor.Next())
            {
                var entry = DecodeEntry(cursor.Key, cursor.Value);
                if (entry.Index != expected)
                {
                    Corrupt($"log (entry {entry.Index} where {expected} was expected)");
                }
                entries.Add(entry);
                expected++;
            }
        }
        var index = snapshot.Metadata.Index;
        if (index > 0)
        {
            _images.Verify(index, image);
        }
        // What a crash left behind that no record names: a newer image, a temporary or partial image.
        _images.DeleteAllExcept(index > 0 ? index : null);
        var applied = Math.Min(_applied?.Invoke() ?? 0, index + (ulong)entries.Count);
        (_term, _vote) = (hardState.Term, hardState.Vote);
        _lastIndex = index + (ulong)entries.Count;
        return new RaftInitialState { HardState = hardState, Snapshot = snapshot, Entries = entries, Applied = applied };
    }

    /// <inheritdoc/>
    public void Save(HardState? hardState, IReadOnlyList<Entry> entries, Snapshot? installed, bool sync)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // The image must be durable under its final name before the transaction that names it.
        var image = installed is null ? default : _images.Install(installed);
        // An environment that syncs every commit syncs this batch too, needed or not, which is safe.
        while (true)
        {
            try
            {
                using var txn = _env.BeginWrite();
                WriteBatch(txn, hardState, entries, installed, image);
                txn.Commit();
                break;
            }
            catch (LmdbMapFullException)
            {
                _env.Grow();
            }
        }
        if (installed is not null)
        {
            _lastIndex = installed.Metadata.Index;
        }
        if (entries.Count > 0)
        {
            _lastIndex = entries[^1].Index;
        }
        if (!_envSyncs && sync && MustSync(hardState, entries.Count, installed is not null))
        {
            SyncEnvironment();
        }
        if (hardState is { } saved)
        {
            (_term, _vote) = (saved.Term, saved.Vote);
        }
        if (installed is not null)
        {
            _images.DeleteAllExcept(installed.Metadata.Index);
        }
    }

    /// <summary>One <see cref="Save"/>'s records, written without allocating per entry: the hot path of every append.</summary>
    private void WriteBatch(LmdbWriteTransaction txn, HardState? hardState, IReadOnlyList<Entry> entries, Snapshot? installed, SnapshotImageInfo image)
    {
        if (installed is not null)
        {
            DeleteEntriesFrom(txn, 0);
            txn.Put(_db, Key(SnapshotKind), SnapshotRecord.Encode(installed.Metadata, image));
        }
        if (entries.Count > 0)
        {
            // An entry whose index is already stored replaces it and everything after it; a leader's appends, which
            // follow the last stored entry, skip the search.
            if (entries[0].Index <= _lastIndex)
            {
                DeleteEntriesFrom(txn, entries[0].Index);
            }
            Span<byte> key = stackalloc byte[17];
            BinaryPrimitives.WriteUInt64BigEndian(key, _group);
            key[8] = EntryKind;
            foreach (var e in entries)
            {
                BinaryPrimitives.WriteUInt64BigEndian(key[9..], e.Index);
                var length = 9 + e.Data.Length;
                var value = ArrayPool<byte>.Shared.Rent(length);
                BinaryPrimitives.WriteUInt64LittleEndian(value, e.Term);
                value[8] = (byte)e.Type;
                e.Data.CopyTo(value, 9);
                txn.Put(_db, key, value.AsSpan(0, length));
                ArrayPool<byte>.Shared.Return(value);
            }
        }
        if (hardState is { } hs)
        {
            Span<byte> value = stackalloc byte[24];
            BinaryPrimitives.WriteUInt64LittleEndian(value, hs.Term);
            BinaryPrimitives.WriteUInt64LittleEndian(value[8..], hs.Vote);
            BinaryPrimitives.WriteUInt64LittleEndian(value[16..], hs.Commit);
            Span<byte> key = stackalloc byte[9];
            BinaryPrimitives.WriteUInt64BigEndian(key, _group);
            key[8] = HardStateKind;
            txn.Put(_db, key, value);
        }
    }

    /// <summary>
    /// Whether a batch the node asked to sync must be synced before Save returns, in an environment that does not fully
    /// sync its commits: a term or vote change and an installed snapshot always; entries unless no peer relies on them.
    /// </summary>
    private bool MustSync(HardState? hardState, int entries, bool installed) =>
        installed || hardState is { } hs && (hs.Term != _term || hs.Vote != _vote) || entries > 0 && (_syncEntries?.Invoke() ?? true);

    private void SyncEnvironment()
    {
        _env.Sync();
        Interlocked.Increment(ref _syncs);
    }

    /// <summary>
    /// Reads up to <paramref name="max"/> stored entries from index <paramref name="from"/> on, none past
    /// <paramref name="upTo"/>, in one read transaction. The first entry returned is later than <paramref name="from"/>
    /// when a snapshot compacted the entries before it; none are returned when none from there on is stored. Entries up
    /// to the state machine's applied index are committed and never change, so a reader of those needs no lock.
    /// </summary>
    public IReadOnlyList<Entry> ReadEntries(ulong from, ulong upTo, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var entries = new List<Entry>();
        using var txn = _env.BeginRead();
        using var cursor = txn.OpenCursor(_db);
        for (var more = cursor.SeekAtOrAfter(Key(EntryKind, from)); more && IsEntryKey(cursor.Key) && entries.Count < max; more = cursor.Next())
        {
            var entry = DecodeEntry(cursor.Key, cursor.Value);
            if (entry.Index > upTo)
            {
                break;
            }
            entries.Add(entry);
        }
        return entries;
    }

    /// <inheritdoc/>
    public void WriteSnapshotChunk(SnapshotMetadata metadata, long offset, ReadOnlySpan<byte> data) => _images.WriteChunk(metadata, offset, data);

    /// <inheritdoc/>
    public Snapshot Compact(SnapshotMetadata metadata, Action<string> writeImage)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var stored = StoredSnapshot();
        if (metadata.Index <= stored.Metadata.Index)
        {
            return stored;
        }
        var image = _images.Write(metadata.Index, writeImage);
        Write(txn =>
        {
            txn.Put(_db, Key(SnapshotKind), SnapshotRecord.Encode(metadata, image));
            using var cursor = txn.OpenCursor(_db);
            while (cursor.SeekAtOrAfter(Key(EntryKind, 0)) && IsEntryKey(cursor.Key) &&
                   BinaryPrimitives.ReadUInt64BigEndian(cursor.Key[9..]) <= metadata.Index)
            {
                cursor.DeleteCurrent();
            }
        });
        if (!_envSyncs)
        {
            // The record of the new image must be on disk before the old image, which the old record names, goes.
            SyncEnvironment();
        }
        _images.DeleteAllExcept(metadata.Index);
        return new Snapshot(metadata, image.Length);
    }

    /// <inheritdoc/>
    public string? SnapshotPath(ulong index)
    {
        var stored = StoredSnapshot().Metadata.Index;
        if (stored != index)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"group {_group} stores snapshot {stored}, not {index}");
        }
        return index == 0 ? null : _images.PathFor(index);
    }

    /// <inheritdoc/>
    public byte[] ReadSnapshotChunk(ulong index, long offset, int length)
    {
        if (SnapshotPath(index) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"group {_group} has no snapshot image at {index}");
        }
        return _images.ReadChunk(index, offset, length);
    }

    /// <summary>Closes a partial image being received; the environment belongs to the caller and outlives its groups.</summary>
    public void Dispose() => _images.Dispose();

    private Snapshot StoredSnapshot()
    {
        using var txn = _env.BeginRead();
        return ReadSnapshot(txn).Snapshot;
    }

    private HardState ReadHardState(LmdbTransaction txn)
    {
        if (!txn.TryGet(_db, Key(HardStateKind), out var raw))
        {
            return default;
        }
        if (raw.Length != 24)
        {
            Corrupt("hard state");
        }
        return new HardState(BinaryPrimitives.ReadUInt64LittleEndian(raw), BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(raw[16..]));
    }

    private (Snapshot Snapshot, SnapshotImageInfo Image) ReadSnapshot(LmdbTransaction txn)
    {
        if (!txn.TryGet(_db, Key(SnapshotKind), out var raw))
        {
            return (new Snapshot(new SnapshotMetadata(0, 0, _bootstrap), 0), default);
        }
        var (meta, image) = SnapshotRecord.Decode(raw, $"LMDB group {_group} of {_env.Path}");
        return (new Snapshot(meta, image.Length), image);
    }

    private void Write(Action<LmdbWriteTransaction> body)
    {
        while (true)
        {
            try
            {
                using var txn = _env.BeginWrite();
                body(txn);
                txn.Commit();
                return;
            }
            catch (LmdbMapFullException)
            {
                _env.Grow();
            }
        }
    }

    private void DeleteEntriesFrom(LmdbWriteTransaction txn, ulong index)
    {
        using var cursor = txn.OpenCursor(_db);
        while (cursor.SeekAtOrAfter(Key(EntryKind, index)) && IsEntryKey(cursor.Key))
        {
            cursor.DeleteCurrent();
        }
    }

    private byte[] Key(byte kind, ulong index = 0)
    {
        var key = new byte[kind == EntryKind ? 17 : 9];
        BinaryPrimitives.WriteUInt64BigEndian(key, _group);
        key[8] = kind;
        if (kind == EntryKind)
        {
            BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(9), index);
        }
        return key;
    }

    private bool IsEntryKey(ReadOnlySpan<byte> key) =>
        key.Length == 17 && BinaryPrimitives.ReadUInt64BigEndian(key) == _group && key[8] == EntryKind;

    private static Entry DecodeEntry(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (value.Length < 9)
        {
            Corrupt("log entry");
        }
        return new Entry(BinaryPrimitives.ReadUInt64BigEndian(key[9..]), BinaryPrimitives.ReadUInt64LittleEndian(value), (EntryType)value[8], value[9..].ToArray());
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Corrupt(string what) => throw new RaftCorruptionException($"the Raft {what} in LMDB does not decode");
}
