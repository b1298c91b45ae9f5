using System.Buffers.Binary;
using IceFire.Grains.Storage.Lmdb;
using IceFire.Raft;
using IceFire.Raft.Storage;

namespace IceFire.Grains.Storage.Raft;

/// <summary>
/// <see cref="IRaftStorage"/> in an LMDB environment that many groups share (one per silo). A group's records
/// live under its 8-byte group id: [group][0] its hard state, [group][1][index] its entries in index order,
/// [group][2] its latest snapshot. Every <see cref="Save"/> is one write transaction, committed with LMDB's full
/// sync (data, then meta page), so a batch is durable before its messages are sent and a crash leaves either
/// all of it or none. LMDB's own checks stop a damaged file at open; a record that does not decode throws
/// <see cref="RaftCorruptionException"/>, which makes the group inoperable as the contract requires.
/// </summary>
public sealed class LmdbRaftStorage : IRaftStorage
{
    private const byte HardStateKind = 0;
    private const byte EntryKind = 1;
    private const byte SnapshotKind = 2;

    private readonly LmdbEnvironment _env;
    private readonly LmdbDatabase _db;
    private readonly ulong _group;
    private readonly ConfState _bootstrap;

    private LmdbRaftStorage(LmdbEnvironment env, LmdbDatabase db, ulong group, ConfState bootstrap)
    {
        _env = env;
        _db = db;
        _group = group;
        _bootstrap = bootstrap;
    }

    /// <summary>
    /// The store of group <paramref name="group"/> in <paramref name="env"/> (opened with sync on commit). A group
    /// seen for the first time starts from an index-0 snapshot naming <paramref name="bootstrap"/> as its members.
    /// </summary>
    public static LmdbRaftStorage Open(LmdbEnvironment env, ulong group, ConfState bootstrap)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(bootstrap);
        return new LmdbRaftStorage(env, env.OpenDatabase("raft"), group, bootstrap);
    }

    /// <inheritdoc/>
    public RaftInitialState Load()
    {
        using var txn = _env.BeginRead();
        var hardState = default(HardState);
        if (txn.TryGet(_db, Key(HardStateKind), out var raw))
        {
            if (raw.Length != 24)
            {
                Corrupt("hard state");
            }
            hardState = new HardState(BinaryPrimitives.ReadUInt64LittleEndian(raw), BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(raw[16..]));
        }
        var snapshot = txn.TryGet(_db, Key(SnapshotKind), out var rawSnapshot)
            ? DecodeSnapshot(rawSnapshot)
            : new Snapshot(new SnapshotMetadata(0, 0, _bootstrap), []);
        var entries = new List<Entry>();
        using (var cursor = txn.OpenCursor(_db))
        {
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
        return new RaftInitialState { HardState = hardState, Snapshot = snapshot, Entries = entries, Applied = snapshot.Metadata.Index };
    }

    /// <inheritdoc/>
    public void Save(HardState? hardState, IReadOnlyList<Entry> entries, Snapshot? installed, bool sync)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // The environment syncs every commit; a batch that need not be synced costs the same, which is safe.
        Write(txn =>
        {
            if (installed is not null)
            {
                DeleteEntriesFrom(txn, 0);
                txn.Put(_db, Key(SnapshotKind), EncodeSnapshot(installed));
            }
            if (entries.Count > 0)
            {
                // An entry whose index is already stored replaces it and everything after it.
                DeleteEntriesFrom(txn, entries[0].Index);
                foreach (var e in entries)
                {
                    var value = new byte[9 + e.Data.Length];
                    BinaryPrimitives.WriteUInt64LittleEndian(value, e.Term);
                    value[8] = (byte)e.Type;
                    e.Data.CopyTo(value, 9);
                    txn.Put(_db, Key(EntryKind, e.Index), value);
                }
            }
            if (hardState is { } hs)
            {
                Span<byte> value = stackalloc byte[24];
                BinaryPrimitives.WriteUInt64LittleEndian(value, hs.Term);
                BinaryPrimitives.WriteUInt64LittleEndian(value[8..], hs.Vote);
                BinaryPrimitives.WriteUInt64LittleEndian(value[16..], hs.Commit);
                txn.Put(_db, Key(HardStateKind), value);
            }
        });
    }

    /// <inheritdoc/>
    public void Compact(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Write(txn =>
        {
            txn.Put(_db, Key(SnapshotKind), EncodeSnapshot(snapshot));
            using var cursor = txn.OpenCursor(_db);
            while (cursor.SeekAtOrAfter(Key(EntryKind, 0)) && IsEntryKey(cursor.Key) &&
                   BinaryPrimitives.ReadUInt64BigEndian(cursor.Key[9..]) <= snapshot.Metadata.Index)
            {
                cursor.DeleteCurrent();
            }
        });
    }

    /// <inheritdoc/>
    public byte[] ReadSnapshotChunk(ulong index, long offset, int length)
    {
        using var txn = _env.BeginRead();
        if (!txn.TryGet(_db, Key(SnapshotKind), out var raw))
        {
            throw new InvalidOperationException($"group {_group} has no stored snapshot");
        }
        var stored = DecodeSnapshot(raw);
        if (stored.Metadata.Index != index)
        {
            throw new InvalidOperationException($"group {_group} stores snapshot {stored.Metadata.Index}, not {index}");
        }
        var available = (int)Math.Max(0, Math.Min(length, stored.Data.Length - offset));
        return stored.Data.AsSpan((int)offset, available).ToArray();
    }

    /// <summary>Nothing to release: the environment belongs to the caller and outlives its groups.</summary>
    public void Dispose()
    {
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

    private static byte[] EncodeSnapshot(Snapshot snapshot)
    {
        var conf = snapshot.Metadata.Config.Encode();
        var bytes = new byte[20 + conf.Length + snapshot.Data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, snapshot.Metadata.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), snapshot.Metadata.Term);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), conf.Length);
        conf.CopyTo(bytes, 20);
        snapshot.Data.CopyTo(bytes, 20 + conf.Length);
        return bytes;
    }

    private static Snapshot DecodeSnapshot(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < 20)
        {
            Corrupt("snapshot");
        }
        var confLength = BinaryPrimitives.ReadInt32LittleEndian(raw[16..]);
        if (confLength < 0 || 20 + confLength > raw.Length)
        {
            Corrupt("snapshot");
        }
        var conf = ConfState.Decode(raw.Slice(20, confLength));
        return new Snapshot(new SnapshotMetadata(BinaryPrimitives.ReadUInt64LittleEndian(raw), BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]), conf),
            raw[(20 + confLength)..].ToArray());
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Corrupt(string what) => throw new RaftCorruptionException($"the Raft {what} in LMDB does not decode");
}
