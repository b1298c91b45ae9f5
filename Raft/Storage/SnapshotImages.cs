using System.Globalization;

namespace IceFire.Raft.Storage;

/// <summary>Length and CRC-32C of a snapshot image file, as recorded by the store that names it.</summary>
/// <param name="Length">Bytes in the file.</param>
/// <param name="Crc">CRC-32C of the whole file.</param>
public readonly record struct SnapshotImageInfo(long Length, uint Crc);

/// <summary>
/// The directory of a group's snapshot image files, for <see cref="IRaftStorage"/> implementations: stored images
/// (<c>snap-{index:x16}.img</c>), the image being taken (<c>snap.tmp</c>) and the image being received
/// (<c>snap-{index:x16}.partial</c>). An image becomes visible under its final name only after it is fsynced and renamed
/// with its directory fsynced, so a crash leaves a whole image or none; the store records the image's
/// <see cref="SnapshotImageInfo"/> after that, and <see cref="DeleteAllExcept"/> at load removes whatever no record names.
/// Used by one group's host loop at a time, like the store that owns it.
/// </summary>
public sealed class SnapshotImages : IDisposable
{
    private const string TempName = "snap.tmp";
    private const int CopyBuffer = 1 << 20;

    private FileStream? _partial;
    private SnapshotMetadata? _partialMeta;
    private uint _partialCrc;

    /// <summary>Uses (and creates) <paramref name="directory"/>, which holds nothing but this group's images.</summary>
    public SnapshotImages(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
    }

    /// <summary>The directory.</summary>
    public string Directory { get; }

    /// <summary>Where the stored image of the snapshot at <paramref name="index"/> lives.</summary>
    public string PathFor(ulong index) => Path.Combine(Directory, $"snap-{index:x16}.img");

    /// <summary>
    /// Has <paramref name="writeImage"/> write a new image to a temporary file, then fsyncs it and renames it to the
    /// name of <paramref name="index"/>, with the directory fsynced. The caller records the returned info afterwards.
    /// </summary>
    public SnapshotImageInfo Write(ulong index, Action<string> writeImage)
    {
        ArgumentNullException.ThrowIfNull(writeImage);
        var tmp = Path.Combine(Directory, TempName);
        File.Delete(tmp);
        try
        {
            writeImage(tmp);
            if (!File.Exists(tmp)) throw new InvalidOperationException($"the state machine wrote no image to {tmp}");
            var info = SyncAndMeasure(tmp);
            File.Move(tmp, PathFor(index), overwrite: true);
            DirectorySync.Fsync(Directory);
            return info;
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    /// <summary>Appends a received chunk to the partial image; offset 0 starts a new one (see <see cref="IRaftStorage.WriteSnapshotChunk"/>).</summary>
    public void WriteChunk(SnapshotMetadata metadata, long offset, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (offset == 0)
        {
            DiscardPartial();
            _partial = new FileStream(PartialPath(metadata.Index), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1);
            _partialMeta = metadata;
            _partialCrc = 0;
        }
        else if (_partial is null || _partialMeta != metadata || _partial.Length != offset)
        {
            throw new InvalidOperationException($"chunk at {offset} of snapshot {metadata.Index} does not follow the partial image ({_partialMeta?.Index}, {_partial?.Length} bytes)");
        }

        _partial!.Write(data);
        _partialCrc = Crc32C.Append(_partialCrc, data);
    }

    /// <summary>
    /// Makes the partial image of <paramref name="snapshot"/> a stored image: checks it is whole, fsyncs it and renames
    /// it into place with the directory fsynced. The caller records the returned info afterwards.
    /// </summary>
    public SnapshotImageInfo Install(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_partial is null || _partialMeta != snapshot.Metadata || _partial.Length != snapshot.Length)
        {
            throw new InvalidOperationException($"no whole partial image of snapshot {snapshot.Metadata.Index} ({snapshot.Length} bytes) to install");
        }

        _partial.Flush(flushToDisk: true);
        _partial.Dispose();
        _partial = null;
        _partialMeta = null;
        File.Move(PartialPath(snapshot.Metadata.Index), PathFor(snapshot.Metadata.Index), overwrite: true);
        DirectorySync.Fsync(Directory);
        return new SnapshotImageInfo(snapshot.Length, _partialCrc);
    }

    /// <summary>Checks the stored image of <paramref name="index"/> against what its record says; throws <see cref="RaftCorruptionException"/> if it differs.</summary>
    public void Verify(ulong index, SnapshotImageInfo expected) => VerifyFile(PathFor(index), expected);

    /// <summary>Checks the image file <paramref name="path"/> against its record, reading only; throws <see cref="RaftCorruptionException"/> if it differs.</summary>
    public static void VerifyFile(string path, SnapshotImageInfo expected)
    {
        if (!File.Exists(path)) RaftCorruptionException.Throw($"snapshot image {path} named by the log is missing");
        var actual = Measure(path, sync: false);
        if (actual.Length != expected.Length) RaftCorruptionException.Throw($"snapshot image {path} has {actual.Length} bytes, its record says {expected.Length}");
        if (actual.Crc != expected.Crc) RaftCorruptionException.Throw($"snapshot image {path} fails its checksum");
    }

    /// <summary>Reads a byte range of the stored image of <paramref name="index"/>.</summary>
    public byte[] ReadChunk(ulong index, long offset, int length)
    {
        using var f = new FileStream(PathFor(index), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (offset < 0 || length < 0 || offset + length > f.Length) throw new ArgumentOutOfRangeException(nameof(offset), $"range {offset}+{length} beyond snapshot image {index} ({f.Length} bytes)");
        var bytes = new byte[length];
        f.Seek(offset, SeekOrigin.Begin);
        f.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Deletes every image but the one of <paramref name="keep"/> (none when null), and any temporary or partial image
    /// but the one being received: what a crash left behind that no record names, or an image a newer one replaced.
    /// </summary>
    public void DeleteAllExcept(ulong? keep)
    {
        var receiving = _partialMeta is { } meta ? Path.GetFileName(PartialPath(meta.Index)) : null;
        foreach (var f in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(f);
            if (name == TempName || (name.EndsWith(".partial", StringComparison.Ordinal) && name != receiving)) File.Delete(f);
            else if (name.StartsWith("snap-", StringComparison.Ordinal) && name.EndsWith(".img", StringComparison.Ordinal)
                     && ulong.TryParse(name.AsSpan(5, name.Length - 9), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var i) && i != keep)
                File.Delete(f);
        }
    }

    /// <summary>Closes a partial image being received; it stays on disk until the next load deletes it.</summary>
    public void Dispose()
    {
        _partial?.Dispose();
        _partial = null;
        _partialMeta = null;
    }

    private string PartialPath(ulong index) => Path.Combine(Directory, $"snap-{index:x16}.partial");

    private void DiscardPartial()
    {
        if (_partial is null) return;
        _partial.Dispose();
        File.Delete(PartialPath(_partialMeta!.Index));
        _partial = null;
        _partialMeta = null;
    }

    private static SnapshotImageInfo SyncAndMeasure(string path) => Measure(path, sync: true);

    private static SnapshotImageInfo Measure(string path, bool sync)
    {
        using var f = new FileStream(path, FileMode.Open, sync ? FileAccess.ReadWrite : FileAccess.Read, FileShare.Read, 1);
        var buffer = new byte[CopyBuffer];
        uint crc = 0;
        long length = 0;
        int n;
        while ((n = f.Read(buffer)) > 0)
        {
            crc = Crc32C.Append(crc, buffer.AsSpan(0, n));
            length += n;
        }

        if (sync) f.Flush(flushToDisk: true);
        return new SnapshotImageInfo(length, crc);
    }
}
