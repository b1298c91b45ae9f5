using System.Buffers.Binary;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// The start of every collection's payload (hash, list, set, sorted set): the collection's id, which
/// prefixes each of its members in the members database, and its element count, so length queries are
/// O(1). Type-specific fields follow. Persisted: [id:8 LE][count:8 LE].
/// </summary>
public readonly record struct CollectionHeader(long Id, long Count)
{
    public const int Length = 16;

    public static CollectionHeader Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < Length)
        {
            throw new StorageCorruptionException("a collection's header is shorter than 16 bytes");
        }
        return new CollectionHeader(BinaryPrimitives.ReadInt64LittleEndian(payload), BinaryPrimitives.ReadInt64LittleEndian(payload[8..]));
    }

    public void Write(Span<byte> payload)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, Id);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], Count);
    }
}
