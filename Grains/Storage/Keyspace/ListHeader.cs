using System.Buffers.Binary;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// A list's payload: the collection header, then the positions of its first and last element. Element i
/// (from the head) lives at position Head + i, stored big-endian with the sign bit flipped so positions
/// sort numerically; pushing on the left takes Head - 1, on the right Tail + 1, so both ends are O(1)
/// and an index is one seek. Persisted: [id:8][count:8][head:8 LE][tail:8 LE].
/// </summary>
public readonly record struct ListHeader(long Id, long Count, long Head, long Tail)
{
    public const int Length = CollectionHeader.Length + 16;

    public static ListHeader Read(ReadOnlySpan<byte> payload)
    {
        var header = CollectionHeader.Read(payload);
        if (payload.Length < Length)
        {
            throw new StorageCorruptionException("a list's header is shorter than 32 bytes");
        }
        return new ListHeader(header.Id, header.Count, BinaryPrimitives.ReadInt64LittleEndian(payload[16..]), BinaryPrimitives.ReadInt64LittleEndian(payload[24..]));
    }

    public void Write(Span<byte> payload)
    {
        new CollectionHeader(Id, Count).Write(payload);
        BinaryPrimitives.WriteInt64LittleEndian(payload[16..], Head);
        BinaryPrimitives.WriteInt64LittleEndian(payload[24..], Tail);
    }

    /// <summary>The member bytes of a position: sortable as unsigned bytes in numeric order.</summary>
    public static void EncodePosition(long position, Span<byte> destination) =>
        BinaryPrimitives.WriteUInt64BigEndian(destination, (ulong)position ^ 0x8000_0000_0000_0000UL);

    public static long DecodePosition(ReadOnlySpan<byte> member) =>
        (long)(BinaryPrimitives.ReadUInt64BigEndian(member) ^ 0x8000_0000_0000_0000UL);
}
