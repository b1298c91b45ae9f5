using System.Buffers.Binary;

namespace IceFire.Raft.Storage;

/// <summary>
/// One snapshot on disk: ["IFSN"][version u32 = 1][index u64][term u64][config length u32][config][data length u64]
/// [data][CRC-32C of everything before it u32], written to a temporary name, fsynced, then renamed into place.
/// </summary>
internal static class SnapshotFile
{
    private const uint Version = 1;
    private static readonly byte[] Magic = "IFSN"u8.ToArray();

    public static string PathFor(string dir, ulong index) => Path.Combine(dir, $"snap-{index:x16}.snap");

    public static void Write(string dir, Snapshot snapshot)
    {
        var meta = snapshot.Metadata;
        var conf = meta.Config.Encode();
        var bytes = new byte[4 + 4 + 8 + 8 + 4 + conf.Length + 8 + snapshot.Data.Length + 4];
        var s = bytes.AsSpan();
        Magic.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], meta.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(s[16..], meta.Term);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)conf.Length);
        conf.CopyTo(s[28..]);
        var at = 28 + conf.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(s[at..], (ulong)snapshot.Data.Length);
        snapshot.Data.CopyTo(s[(at + 8)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[^4..], Crc32C.Compute(s[..^4]));
        var path = PathFor(dir, meta.Index);
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
        DirectorySync.Fsync(dir);
    }

    public static Snapshot Read(string dir, ulong index)
    {
        var path = PathFor(dir, index);
        if (!File.Exists(path)) RaftCorruptionException.Throw($"snapshot file {path} named by the log is missing");
        var bytes = File.ReadAllBytes(path);
        var s = bytes.AsSpan();
        if (bytes.Length < 40 || !s[..4].SequenceEqual(Magic)) RaftCorruptionException.Throw($"snapshot file {path} has no valid header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(s[^4..]) != Crc32C.Compute(s[..^4])) RaftCorruptionException.Throw($"snapshot file {path} fails its checksum");
        if (BinaryPrimitives.ReadUInt32LittleEndian(s[4..]) != Version) RaftCorruptionException.Throw($"snapshot file {path} has an unknown version");
        var idx = BinaryPrimitives.ReadUInt64LittleEndian(s[8..]);
        var term = BinaryPrimitives.ReadUInt64LittleEndian(s[16..]);
        var confLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[24..]);
        if (idx != index || 28 + confLength + 12 > bytes.Length) RaftCorruptionException.Throw($"snapshot file {path} is inconsistent");
        var conf = ConfState.Decode(s.Slice(28, confLength));
        var at = 28 + confLength;
        var dataLength = BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
        if ((ulong)(at + 8 + 4) + dataLength != (ulong)bytes.Length) RaftCorruptionException.Throw($"snapshot file {path} has a wrong data length");
        return new Snapshot(new SnapshotMetadata(idx, term, conf), s.Slice(at + 8, (int)dataLength).ToArray());
    }

    /// <summary>Reads a byte range of the data section (the file was verified when the store was loaded or written).</summary>
    public static byte[] ReadRange(string dir, ulong index, long offset, int length)
    {
        using var f = new FileStream(PathFor(dir, index), FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[28];
        f.ReadExactly(head);
        var dataStart = 28L + BinaryPrimitives.ReadUInt32LittleEndian(head[24..]) + 8;
        if (dataStart + offset + length > f.Length - 4) throw new ArgumentOutOfRangeException(nameof(offset), $"range beyond snapshot {index}");
        var bytes = new byte[length];
        f.Seek(dataStart + offset, SeekOrigin.Begin);
        f.ReadExactly(bytes);
        return bytes;
    }

    public static void DeleteOlderThan(string dir, ulong index)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "snap-*.snap"))
        {
            var name = Path.GetFileNameWithoutExtension(f);
            if (ulong.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.HexNumber, null, out var i) && i < index) File.Delete(f);
        }
    }
}
