using System.Buffers.Binary;

namespace IceFire.Raft.Storage;

public sealed partial class FileRaftStorage
{
    /// <summary>Bytes cut from the end of the log at the last <see cref="Load"/> (a torn, never-synced write).</summary>
    public long TruncatedTornBytes { get; private set; }

    /// <inheritdoc/>
    public RaftInitialState Load()
    {
        if (_loaded) throw new InvalidOperationException("Load may be called once");
        var entries = new List<Entry>();
        _file.Seek(0, SeekOrigin.Begin);
        var length = _file.Length;
        var bytes = new byte[length];
        _file.ReadExactly(bytes);
        long at = 0;
        while (at < length)
        {
            if (length - at < LogRecord.HeaderSize) break;
            var payload = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at));
            var end = at + LogRecord.HeaderSize + payload;
            if (payload > LogRecord.MaxPayload || end > length) break;
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)at + 4));
            var body = bytes.AsSpan((int)at + 8, 1 + (int)payload);
            if (crc != Crc32C.Compute(body))
            {
                if (end == length) break; // the last record was torn
                RaftCorruptionException.Throw($"record at offset {at} of {Path.Combine(_dir, LogName)} fails its checksum and is followed by more records");
            }

            Replay((LogRecordType)body[0], body[1..], at, entries);
            at = end;
        }

        if (at < length)
        {
            TruncatedTornBytes = length - at;
            _file.SetLength(at);
            _file.Flush(flushToDisk: true);
        }

        _file.Seek(0, SeekOrigin.End);
        _loaded = true;
        var (meta, image) = SnapshotFile.Read(_dir, _snapshotIndex);
        if (meta.Term != _snapshotTerm) RaftCorruptionException.Throw($"snapshot {_snapshotIndex} has term {meta.Term}, the log says {_snapshotTerm}");
        if (_snapshotIndex > 0) _images.Verify(_snapshotIndex, image);
        // What a crash left behind that the log does not name: a newer image or record, a temporary or partial image.
        DeleteOtherSnapshots(_snapshotIndex);
        var snapshot = new Snapshot(meta, image.Length);
        _snapshot = snapshot;
        var last = _snapshotIndex + (ulong)entries.Count;
        if (_hardState.Commit > last) RaftCorruptionException.Throw($"hard state commit {_hardState.Commit} is beyond the last stored entry {last}");
        // The application's state is not kept here: the host restores it from the image.
        return new RaftInitialState { HardState = _hardState, Snapshot = snapshot, Entries = entries };
    }

    private void Replay(LogRecordType type, ReadOnlySpan<byte> p, long offset, List<Entry> entries)
    {
        switch (type)
        {
            case LogRecordType.Entry when p.Length >= 17:
            {
                var index = BinaryPrimitives.ReadUInt64LittleEndian(p);
                var term = BinaryPrimitives.ReadUInt64LittleEndian(p[8..]);
                var next = _snapshotIndex + (ulong)entries.Count + 1;
                if (index <= _snapshotIndex || index > next) RaftCorruptionException.Throw($"entry {index} at offset {offset} does not follow the log (expected at most {next})");
                var keep = (int)(index - _snapshotIndex - 1);
                if (keep < entries.Count)
                {
                    _deadRecords += entries.Count - keep;
                    entries.RemoveRange(keep, entries.Count - keep);
                    _entryOffsets.RemoveRange(keep, _entryOffsets.Count - keep);
                }

                if (p[16] > (byte)EntryType.Config) RaftCorruptionException.Throw($"entry {index} at offset {offset} has unknown type {p[16]}");
                entries.Add(new Entry(index, term, (EntryType)p[16], p[17..].ToArray()));
                _entryOffsets.Add(offset);
                break;
            }

            case LogRecordType.HardState when p.Length == 24:
                _hardState = new HardState(BinaryPrimitives.ReadUInt64LittleEndian(p), BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), BinaryPrimitives.ReadUInt64LittleEndian(p[16..]));
                _deadRecords++;
                break;
            case LogRecordType.SnapshotCompacted when p.Length == 16:
            {
                var index = BinaryPrimitives.ReadUInt64LittleEndian(p);
                var drop = (int)Math.Min((ulong)entries.Count, index > _snapshotIndex ? index - _snapshotIndex : 0);
                entries.RemoveRange(0, drop);
                _entryOffsets.RemoveRange(0, drop);
                _deadRecords += drop + 1;
                (_snapshotIndex, _snapshotTerm) = (index, BinaryPrimitives.ReadUInt64LittleEndian(p[8..]));
                break;
            }

            case LogRecordType.SnapshotInstalled when p.Length == 16:
                _deadRecords += entries.Count + 1;
                entries.Clear();
                _entryOffsets.Clear();
                (_snapshotIndex, _snapshotTerm) = (BinaryPrimitives.ReadUInt64LittleEndian(p), BinaryPrimitives.ReadUInt64LittleEndian(p[8..]));
                break;
            default:
                RaftCorruptionException.Throw($"unknown or malformed record type {(byte)type} at offset {offset}");
                break;
        }
    }
}
