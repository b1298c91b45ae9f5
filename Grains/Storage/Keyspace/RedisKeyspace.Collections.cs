using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using IceFire.Grains.Storage.Lmdb;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// Members of collections. Every member of every collection lives in the LMDB database <c>members</c>
/// under [collection id, big-endian:8][space:1][member], so one collection's members are contiguous and
/// in byte order (a range is a cursor walk; a member is one seek, whatever the collection's size), and a
/// RENAME moves only the header. The space byte separates indexes of one collection (a sorted set keeps
/// member-to-score in space 0 and its score order in space 1). A member longer than
/// <see cref="MaxInlineMember"/> bytes is stored as its prefix and SHA-256, with the whole member kept in
/// the value, as keys are. Member values are [flags:1][whole member if long: length:4, bytes][payload][checksum:4]
/// (<see cref="RecordChecksum"/> over the member's LMDB key and the value before it, checked on every read).
/// </summary>
public sealed partial class RedisKeyspace
{
    /// <summary>Longest member stored as itself; LMDB keys end at 511 bytes.</summary>
    public const int MaxInlineMember = 460;

    /// <summary>Room an encoded member key can need.</summary>
    public const int MaxMemberKeyLength = 9 + MaxInlineMember + 32;

    private static readonly byte[] CollectionCounterKey = Encoding.ASCII.GetBytes("next-collection-id");

    private LmdbDatabase _members;
    private LmdbDatabase _meta;
    private long _nextCollectionId;

    private static long ReadCollectionCounter(LmdbTransaction txn, LmdbDatabase meta) =>
        txn.TryGet(meta, CollectionCounterKey, out var raw) && raw.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(raw) : 1;

    /// <summary>A fresh collection id, never used before in this tenant. Write transactions only.</summary>
    public long AllocateCollectionId(LmdbWriteTransaction txn)
    {
        var id = _nextCollectionId;
        Span<byte> next = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(next, id + 1);
        txn.Put(_meta, CollectionCounterKey, next);
        _nextCollectionId = id + 1;
        return id;
    }

    /// <summary>Re-reads the counter after an aborted write transaction, whose allocations did not happen.</summary>
    public void ReloadCollectionCounter(LmdbTransaction txn) => _nextCollectionId = ReadCollectionCounter(txn, _meta);

    /// <summary>Writes the LMDB key of <paramref name="member"/> in <paramref name="space"/> of collection <paramref name="id"/>.</summary>
    public static int EncodeMember(long id, byte space, ReadOnlySpan<byte> member, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, id);
        destination[8] = space;
        if (member.Length <= MaxInlineMember)
        {
            member.CopyTo(destination[9..]);
            return 9 + member.Length;
        }
        member[..MaxInlineMember].CopyTo(destination[9..]);
        SHA256.HashData(member, destination.Slice(9 + MaxInlineMember, 32));
        return MaxMemberKeyLength;
    }

    /// <summary>Reads a member's payload; false when absent.</summary>
    public bool TryGetMember(LmdbTransaction txn, long id, byte space, scoped ReadOnlySpan<byte> member, out ReadOnlySpan<byte> payload)
    {
        Span<byte> key = stackalloc byte[MaxMemberKeyLength];
        var length = EncodeMember(id, space, member, key);
        if (!txn.TryGet(_members, key[..length], out var raw))
        {
            payload = default;
            return false;
        }
        Verify(key[..length], raw);
        if (length == MaxMemberKeyLength && !UncheckedMemberOf(key[..length], raw).SequenceEqual(member))
        {
            payload = default;
            return false;
        }
        payload = UncheckedPayload(raw);
        return true;
    }

    /// <summary>Writes a member's payload, replacing any; true when the member is new.</summary>
    public bool PutMember(LmdbWriteTransaction txn, long id, byte space, ReadOnlySpan<byte> member, ReadOnlySpan<byte> payload)
    {
        Span<byte> key = stackalloc byte[MaxMemberKeyLength];
        var length = EncodeMember(id, space, member, key);
        var isNew = !txn.TryGet(_members, key[..length], out _);
        WriteMember(txn, key[..length], member, payload);
        return isNew;
    }

    /// <summary>
    /// Writes a member's payload, replacing any, without asking whether it was there: for callers that have
    /// just read the member, so the write costs one B-tree descent instead of two.
    /// </summary>
    public void SetMember(LmdbWriteTransaction txn, long id, byte space, ReadOnlySpan<byte> member, ReadOnlySpan<byte> payload)
    {
        Span<byte> key = stackalloc byte[MaxMemberKeyLength];
        var length = EncodeMember(id, space, member, key);
        WriteMember(txn, key[..length], member, payload);
    }

    private void WriteMember(LmdbWriteTransaction txn, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, ReadOnlySpan<byte> payload)
    {
        var isLong = member.Length > MaxInlineMember;
        var overhead = 1 + (isLong ? 4 + member.Length : 0);
        var total = overhead + payload.Length + RecordChecksum.Length;
        byte[]? copy = null;
        if (Overlaps(txn, payload))
        {
            copy = ArrayPool<byte>.Shared.Rent(payload.Length);
            payload.CopyTo(copy);
            payload = copy.AsSpan(0, payload.Length);
        }
        try
        {
            var room = txn.Reserve(_members, key, total);
            room[0] = isLong ? (byte)ValueFlags.LongKey : (byte)0;
            if (isLong)
            {
                BinaryPrimitives.WriteInt32LittleEndian(room[1..], member.Length);
                member.CopyTo(room[5..]);
            }
            payload.CopyTo(room[overhead..]);
            RecordChecksum.Seal(key, room);
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
    }

    /// <summary>Removes a member; true when it existed.</summary>
    public bool DeleteMember(LmdbWriteTransaction txn, long id, byte space, ReadOnlySpan<byte> member)
    {
        Span<byte> key = stackalloc byte[MaxMemberKeyLength];
        var length = EncodeMember(id, space, member, key);
        return txn.Delete(_members, key[..length]);
    }

    /// <summary>Removes every member of collection <paramref name="id"/>, in every space.</summary>
    public void DeleteAllMembers(LmdbWriteTransaction txn, long id)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(prefix, id);
        using var cursor = txn.OpenCursor(_members);
        // Seek again after each delete: where a cursor stands after mdb_cursor_del at a page's end is not
        // something to lean on, and a seek costs one descent.
        while (cursor.SeekAtOrAfter(prefix) && cursor.Key.StartsWith(prefix))
        {
            cursor.DeleteCurrent();
        }
    }

    /// <summary>Copies every member of <paramref name="from"/> to the new collection <paramref name="to"/> (COPY).</summary>
    public void CopyMembers(LmdbWriteTransaction txn, long from, long to)
    {
        var entries = new List<(byte[] Key, byte[] Value)>();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(prefix, from);
        using (var cursor = txn.OpenCursor(_members))
        {
            for (var more = cursor.SeekAtOrAfter(prefix); more && cursor.Key.StartsWith(prefix); more = cursor.Next())
            {
                Verify(cursor.Key, cursor.Value);
                var key = cursor.Key.ToArray();
                BinaryPrimitives.WriteInt64BigEndian(key, to);
                entries.Add((key, cursor.Value.ToArray()));
            }
        }
        foreach (var (key, value) in entries)
        {
            // The checksum covers the LMDB key, whose collection id changed.
            RecordChecksum.Seal(key, value);
            txn.Put(_members, key, value);
        }
    }

    /// <summary>
    /// Opens a cursor on the members database positioned at the first member of <paramref name="space"/> in
    /// collection <paramref name="id"/> at or after <paramref name="from"/>; false when there is none.
    /// Walk with <see cref="LmdbCursor.Next"/> while <see cref="IsInSpace"/> holds.
    /// </summary>
    public LmdbCursor OpenMembers(LmdbTransaction txn, long id, byte space, ReadOnlySpan<byte> from, out bool positioned)
    {
        Span<byte> key = stackalloc byte[MaxMemberKeyLength];
        var length = from.IsEmpty ? 9 : EncodeMember(id, space, from, key);
        BinaryPrimitives.WriteInt64BigEndian(key, id);
        key[8] = space;
        var cursor = txn.OpenCursor(_members);
        positioned = cursor.SeekAtOrAfter(key[..length]) && IsInSpace(cursor.Key, id, space);
        return cursor;
    }

    /// <summary>The LMDB database holding every collection's members, for cursor walks.</summary>
    public LmdbDatabase MembersDatabase => _members;

    /// <summary>Moves <paramref name="cursor"/> to the first member of <paramref name="space"/> in collection <paramref name="id"/>.</summary>
    public bool SeekMembers(LmdbCursor cursor, long id, byte space)
    {
        Span<byte> prefix = stackalloc byte[9];
        BinaryPrimitives.WriteInt64BigEndian(prefix, id);
        prefix[8] = space;
        return cursor.SeekAtOrAfter(prefix) && IsInSpace(cursor.Key, id, space);
    }

    /// <summary>True when an LMDB key of the members database belongs to <paramref name="space"/> of <paramref name="id"/>.</summary>
    public static bool IsInSpace(ReadOnlySpan<byte> memberKey, long id, byte space) =>
        memberKey.Length >= 9 && BinaryPrimitives.ReadInt64BigEndian(memberKey) == id && memberKey[8] == space;

    /// <summary>The member an entry stands for, given its LMDB key and value, after checking the entry's checksum.</summary>
    /// <exception cref="StoredValueChecksumException">The entry is not what was written.</exception>
    public static ReadOnlySpan<byte> MemberOf(ReadOnlySpan<byte> memberKey, ReadOnlySpan<byte> value)
    {
        Verify(memberKey, value);
        return UncheckedMemberOf(memberKey, value);
    }

    /// <summary>The payload of a member entry, given its LMDB key and value, after checking the entry's checksum.</summary>
    /// <exception cref="StoredValueChecksumException">The entry is not what was written.</exception>
    public static ReadOnlySpan<byte> MemberPayload(ReadOnlySpan<byte> memberKey, ReadOnlySpan<byte> value)
    {
        Verify(memberKey, value);
        return UncheckedPayload(value);
    }

    /// <summary>
    /// The member an entry stands for and, in <paramref name="payload"/>, its payload, after one check of the entry's
    /// checksum: for walks that need both, which would check it twice through <see cref="MemberOf"/> and <see cref="MemberPayload"/>.
    /// </summary>
    /// <exception cref="StoredValueChecksumException">The entry is not what was written.</exception>
    public static ReadOnlySpan<byte> MemberAndPayload(ReadOnlySpan<byte> memberKey, ReadOnlySpan<byte> value, out ReadOnlySpan<byte> payload)
    {
        Verify(memberKey, value);
        payload = UncheckedPayload(value);
        return UncheckedMemberOf(memberKey, value);
    }

    /// <summary>Throws <see cref="StoredValueChecksumException"/> unless the member entry passes its checksum.</summary>
    public static void Verify(ReadOnlySpan<byte> memberKey, ReadOnlySpan<byte> value)
    {
        if (!RecordChecksum.IsValid(memberKey, value) || value.Length < 1 + RecordChecksum.Length)
        {
            StoredValueChecksumException.ThrowForMember(memberKey);
        }
    }

    private static ReadOnlySpan<byte> UncheckedMemberOf(ReadOnlySpan<byte> memberKey, ReadOnlySpan<byte> value)
    {
        if ((value[0] & (byte)ValueFlags.LongKey) != 0)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(value[1..]);
            return value.Slice(5, length);
        }
        return memberKey[9..];
    }

    private static ReadOnlySpan<byte> UncheckedPayload(ReadOnlySpan<byte> value)
    {
        if ((value[0] & (byte)ValueFlags.LongKey) != 0)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(value[1..]);
            return value[(5 + length)..^RecordChecksum.Length];
        }
        return value[1..^RecordChecksum.Length];
    }
}
