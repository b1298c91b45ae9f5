using System.Buffers.Binary;

namespace IceFire.Raft.Storage;

/// <summary>
/// The durable record of a stored snapshot, for <see cref="IRaftStorage"/> implementations: ["IFSR"][version u32 = 1]
/// [index u64][term u64][config length u32][config][image length u64][image CRC-32C u32][CRC-32C of everything before
/// it u32], little-endian. Persisted: the layout only grows with a new version.
/// </summary>
public static class SnapshotRecord
{
    private const uint Version = 1;
    private static ReadOnlySpan<byte> Magic => "IFSR"u8;

    /// <summary>Encodes the record of a snapshot at <paramref name="metadata"/> whose image is <paramref name="image"/>.</summary>
    public static byte[] Encode(SnapshotMetadata metadata, SnapshotImageInfo image)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var conf = metadata.Config.Encode();
        var bytes = new byte[28 + conf.Length + 16];
        var s = bytes.AsSpan();
        Magic.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], metadata.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(s[16..], metadata.Term);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)conf.Length);
        conf.CopyTo(s[28..]);
        var at = 28 + conf.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(s[at..], (ulong)image.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 8)..], image.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(s[^4..], Crc32C.Compute(s[..^4]));
        return bytes;
    }

    /// <summary>Decodes a record; throws <see cref="RaftCorruptionException"/> naming <paramref name="where"/> if it is damaged.</summary>
    public static (SnapshotMetadata Metadata, SnapshotImageInfo Image) Decode(ReadOnlySpan<byte> s, string where)
    {
        if (s.Length < 44 || !s[..4].SequenceEqual(Magic)) RaftCorruptionException.Throw($"snapshot record in {where} has no valid header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(s[^4..]) != Crc32C.Compute(s[..^4])) RaftCorruptionException.Throw($"snapshot record in {where} fails its checksum");
        if (BinaryPrimitives.ReadUInt32LittleEndian(s[4..]) != Version) RaftCorruptionException.Throw($"snapshot record in {where} has an unknown version");
        var confLength = BinaryPrimitives.ReadUInt32LittleEndian(s[24..]);
        if (28 + (long)confLength + 16 != s.Length) RaftCorruptionException.Throw($"snapshot record in {where} has a wrong length");
        var conf = ConfState.Decode(s.Slice(28, (int)confLength));
        var at = 28 + (int)confLength;
        var length = BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);
        if (length > long.MaxValue) RaftCorruptionException.Throw($"snapshot record in {where} has an impossible image length");
        var meta = new SnapshotMetadata(BinaryPrimitives.ReadUInt64LittleEndian(s[8..]), BinaryPrimitives.ReadUInt64LittleEndian(s[16..]), conf);
        return (meta, new SnapshotImageInfo((long)length, BinaryPrimitives.ReadUInt32LittleEndian(s[(at + 8)..])));
    }
}
