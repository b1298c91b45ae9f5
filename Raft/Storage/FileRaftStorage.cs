using System.Buffers;

namespace IceFire.Raft.Storage;

/// <summary>
/// <see cref="IRaftStorage"/> on plain files: one append-only record log (<c>raft.log</c>, CRC-32C per record,
/// fsync per synced batch) and one file per snapshot. After a crash, a torn record at the end of the log — a write
/// that never completed its fsync — is cut off; a bad record followed by more data is corruption and stops the group
/// with <see cref="RaftCorruptionException"/>. The log file is rewritten without dead records once they dominate.
/// The latest snapshot is a record file (<c>snap-{index:x16}.snap</c>, see <see cref="SnapshotRecord"/>) beside its
/// image (<see cref="SnapshotImages"/>); both are durable before the log record that names them.
/// </summary>
public sealed partial class FileRaftStorage : IRaftStorage
{
    private const string LogName = "raft.log";
    private const int RewriteThreshold = 4096;

    private readonly string _dir;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly List<long> _entryOffsets = [];
    private readonly SnapshotImages _images;
    private FileStream _file;
    private ulong _snapshotIndex;
    private ulong _snapshotTerm;
    private Snapshot? _snapshot;
    private HardState _hardState;
    private long _deadRecords;
    private bool _loaded;

    private FileRaftStorage(string dir, FileStream file)
    {
        _dir = dir;
        _file = file;
        _images = new SnapshotImages(dir);
    }

    /// <summary>
    /// Opens the store in <paramref name="dir"/>, creating it for a new member with <paramref name="bootstrap"/> as
    /// the membership of its index-0 snapshot (the initial voters, or <see cref="ConfState.Empty"/> for a joining node).
    /// </summary>
    public static FileRaftStorage Open(string dir, ConfState bootstrap)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, LogName);
        if (!File.Exists(path))
        {
            SnapshotFile.Write(dir, new SnapshotMetadata(0, 0, bootstrap), default);
            using (var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write)) f.Flush(flushToDisk: true);
            DirectorySync.Fsync(dir);
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        return new FileRaftStorage(dir, file);
    }

    /// <summary>Bytes in the log file (for metrics and tests).</summary>
    public long LogFileBytes => _file.Length;

    /// <inheritdoc/>
    public void Save(HardState? hardState, IReadOnlyList<Entry> entries, Snapshot? installed, bool sync)
    {
        ArgumentNullException.ThrowIfNull(entries);
        EnsureLoaded();
        if (installed is not null)
        {
            // The image and its record must be durable before the log record that names them.
            SnapshotFile.Write(_dir, installed.Metadata, _images.Install(installed));
            sync = true;
            LogRecord.WriteSnapshotMark(_buffer, LogRecordType.SnapshotInstalled, installed.Metadata.Index, installed.Metadata.Term);
            _deadRecords += _entryOffsets.Count + 1;
            _entryOffsets.Clear();
            (_snapshotIndex, _snapshotTerm, _snapshot) = (installed.Metadata.Index, installed.Metadata.Term, installed);
        }

        var position = _file.Length;
        foreach (var e in entries)
        {
            var keep = (long)(e.Index - _snapshotIndex - 1);
            if (keep < 0 || keep > _entryOffsets.Count) throw new ArgumentException($"entry {e.Index} does not follow the stored log", nameof(entries));
            if (keep < _entryOffsets.Count)
            {
                _deadRecords += _entryOffsets.Count - keep;
                _entryOffsets.RemoveRange((int)keep, _entryOffsets.Count - (int)keep);
            }

            _entryOffsets.Add(position + _buffer.WrittenCount);
            LogRecord.WriteEntry(_buffer, e);
        }

        if (hardState is { } hs)
        {
            LogRecord.WriteHardState(_buffer, hs);
            _hardState = hs;
            _deadRecords++;
        }

        Flush(sync);
        if (installed is not null) DeleteOtherSnapshots(installed.Metadata.Index);
    }

    /// <inheritdoc/>
    public void WriteSnapshotChunk(SnapshotMetadata metadata, long offset, ReadOnlySpan<byte> data)
    {
        EnsureLoaded();
        _images.WriteChunk(metadata, offset, data);
    }

    /// <inheritdoc/>
    public Snapshot Compact(SnapshotMetadata metadata, Action<string> writeImage)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        EnsureLoaded();
        if (metadata.Index <= _snapshotIndex) return _snapshot!;
        var image = _images.Write(metadata.Index, writeImage);
        SnapshotFile.Write(_dir, metadata, image);
        LogRecord.WriteSnapshotMark(_buffer, LogRecordType.SnapshotCompacted, metadata.Index, metadata.Term);
        var drop = (int)Math.Min((ulong)_entryOffsets.Count, metadata.Index - _snapshotIndex);
        _entryOffsets.RemoveRange(0, drop);
        _deadRecords += drop + 1;
        _snapshot = new Snapshot(metadata, image.Length);
        (_snapshotIndex, _snapshotTerm) = (metadata.Index, metadata.Term);
        Flush(sync: true);
        DeleteOtherSnapshots(metadata.Index);
        if (_deadRecords > RewriteThreshold && _deadRecords > 2 * _entryOffsets.Count) Rewrite();
        return _snapshot;
    }

    /// <inheritdoc/>
    public string? SnapshotPath(ulong index)
    {
        EnsureLoaded();
        if (index != _snapshotIndex) throw new ArgumentOutOfRangeException(nameof(index), $"snapshot {index} is not the stored one ({_snapshotIndex})");
        return index == 0 ? null : _images.PathFor(index);
    }

    /// <inheritdoc/>
    public byte[] ReadSnapshotChunk(ulong index, long offset, int length)
    {
        EnsureLoaded();
        if (index != _snapshotIndex || index == 0) throw new ArgumentOutOfRangeException(nameof(index), $"snapshot {index} is not the stored one ({_snapshotIndex})");
        return _images.ReadChunk(index, offset, length);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _images.Dispose();
        _file.Dispose();
    }

    private void DeleteOtherSnapshots(ulong index)
    {
        SnapshotFile.DeleteAllExcept(_dir, index);
        _images.DeleteAllExcept(index);
    }

    private void Flush(bool sync)
    {
        if (_buffer.WrittenCount == 0) return;
        _file.Seek(0, SeekOrigin.End);
        _file.Write(_buffer.WrittenSpan);
        _buffer.Clear();
        _file.Flush(flushToDisk: sync);
    }

    private void EnsureLoaded()
    {
        if (!_loaded) throw new InvalidOperationException("Load must be called before writing");
    }

    /// <summary>Copies the live records into a fresh file, fsyncs it and renames it over the log.</summary>
    private void Rewrite()
    {
        var path = Path.Combine(_dir, LogName);
        var tmp = path + ".rewrite";
        var offsets = new List<long>(_entryOffsets.Count);
        using (var output = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var w = new ArrayBufferWriter<byte>();
            LogRecord.WriteSnapshotMark(w, LogRecordType.SnapshotCompacted, _snapshotIndex, _snapshotTerm);
            LogRecord.WriteHardState(w, _hardState);
            output.Write(w.WrittenSpan);
            var header = new byte[LogRecord.HeaderSize];
            foreach (var offset in _entryOffsets)
            {
                _file.Seek(offset, SeekOrigin.Begin);
                _file.ReadExactly(header);
                var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header);
                var record = new byte[LogRecord.HeaderSize + length];
                header.CopyTo(record, 0);
                _file.ReadExactly(record.AsSpan(LogRecord.HeaderSize));
                offsets.Add(output.Position);
                output.Write(record);
            }

            output.Flush(flushToDisk: true);
        }

        _file.Dispose();
        File.Move(tmp, path, overwrite: true);
        DirectorySync.Fsync(_dir);
        _file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
        _entryOffsets.Clear();
        _entryOffsets.AddRange(offsets);
        _deadRecords = 0;
    }
}
