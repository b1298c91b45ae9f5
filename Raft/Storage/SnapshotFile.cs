namespace IceFire.Raft.Storage;

/// <summary>
/// The record of one stored snapshot of a <see cref="FileRaftStorage"/>: <c>snap-{index:x16}.snap</c> holding a
/// <see cref="SnapshotRecord"/>, written to a temporary name, fsynced, then renamed into place. Its image is beside it
/// (<see cref="SnapshotImages"/>); the bootstrap snapshot at index 0 has none.
/// </summary>
internal static class SnapshotFile
{
    public static string PathFor(string dir, ulong index) => Path.Combine(dir, $"snap-{index:x16}.snap");

    public static void Write(string dir, SnapshotMetadata metadata, SnapshotImageInfo image)
    {
        var path = PathFor(dir, metadata.Index);
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(SnapshotRecord.Encode(metadata, image));
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
        DirectorySync.Fsync(dir);
    }

    public static (SnapshotMetadata Metadata, SnapshotImageInfo Image) Read(string dir, ulong index)
    {
        var path = PathFor(dir, index);
        if (!File.Exists(path)) RaftCorruptionException.Throw($"snapshot file {path} named by the log is missing");
        var record = SnapshotRecord.Decode(File.ReadAllBytes(path), path);
        if (record.Metadata.Index != index) RaftCorruptionException.Throw($"snapshot file {path} is inconsistent");
        return record;
    }

    /// <summary>Deletes the records of every other snapshot: older ones, and newer ones a crash left unnamed by the log.</summary>
    public static void DeleteAllExcept(string dir, ulong index)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "snap-*.snap"))
        {
            var name = Path.GetFileNameWithoutExtension(f);
            if (ulong.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.HexNumber, null, out var i) && i != index) File.Delete(f);
        }
    }
}
