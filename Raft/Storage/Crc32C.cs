using System.Buffers.Binary;
using System.Numerics;

namespace IceFire.Raft.Storage;

/// <summary>CRC-32C (Castagnoli), hardware-accelerated where the CPU offers it.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC of the bytes <paramref name="crc"/> was computed over followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
