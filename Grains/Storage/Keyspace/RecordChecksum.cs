using System.Buffers.Binary;
using System.Numerics;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// The CRC-32C (Castagnoli, hardware-accelerated) that ends every record of the keyspace's <c>keys{n}</c> and
/// <c>members</c> databases. It covers the record's LMDB key (its length, then its bytes) and every byte of the
/// value before it, so a changed byte in a value, and a value moved under another key, both fail the check.
/// Persisted: the last <see cref="Length"/> bytes of the value, little-endian (keyspace format 2).
/// </summary>
public static class RecordChecksum
{
    /// <summary>Bytes the checksum adds at the end of a value.</summary>
    public const int Length = 4;

    /// <summary>The checksum of <paramref name="body"/> stored under <paramref name="key"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> body)
    {
        var crc = BitOperations.Crc32C(~0u, (uint)key.Length);
        crc = Append(crc, key);
        return ~Append(crc, body);
    }

    /// <summary>Writes the checksum of <paramref name="record"/>'s body into its last <see cref="Length"/> bytes.</summary>
    public static void Seal(ReadOnlySpan<byte> key, Span<byte> record) =>
        BinaryPrimitives.WriteUInt32LittleEndian(record[^Length..], Compute(key, record[..^Length]));

    /// <summary>True when <paramref name="record"/> ends with the checksum of its body under <paramref name="key"/>.</summary>
    public static bool IsValid(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record) =>
        record.Length >= Length && BinaryPrimitives.ReadUInt32LittleEndian(record[^Length..]) == Compute(key, record[..^Length]);

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }
}
