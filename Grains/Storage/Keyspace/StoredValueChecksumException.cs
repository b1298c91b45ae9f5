using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// A record of the keyspace failed its checksum (<see cref="RecordChecksum"/>): a key's value, or a member of a
/// collection. The bytes read are not what was written, so none of them may reach a client.
/// </summary>
public sealed class StoredValueChecksumException : StorageCorruptionException
{
    private StoredValueChecksumException(string message, byte[]? key, int db, long collectionId)
        : base(message)
    {
        Key = key;
        Database = db;
        CollectionId = collectionId;
    }

    /// <summary>The Redis key whose value failed, when the failing record names it; null for a member record.</summary>
    public byte[]? Key { get; }

    /// <summary>The logical database of <see cref="Key"/>; -1 when not known where the failure was found.</summary>
    public int Database { get; }

    /// <summary>The collection whose member record failed; 0 for a key's value.</summary>
    public long CollectionId { get; }

    /// <summary>Throws for the value stored under the LMDB key <paramref name="encodedKey"/>.</summary>
    [DoesNotReturn]
    public static void ThrowForKey(scoped ReadOnlySpan<byte> encodedKey, ReadOnlySpan<byte> raw, int db)
    {
        var key = KeyOf(encodedKey, raw);
        throw new StoredValueChecksumException($"stored value of key '{Printable(key)}' in db {db} failed its checksum", key, db, 0);
    }

    /// <summary>Throws for the member record stored under <paramref name="memberKey"/>.</summary>
    [DoesNotReturn]
    public static void ThrowForMember(ReadOnlySpan<byte> memberKey)
    {
        var id = memberKey.Length >= 8 ? BinaryPrimitives.ReadInt64BigEndian(memberKey) : 0;
        throw new StoredValueChecksumException($"a member record of collection {id} failed its checksum", null, -1, id);
    }

    /// <summary>
    /// The Redis key of a record, as far as its LMDB key tells: an inline key is itself; the empty key's encoding is
    /// the empty key; a hashed key is the whole key the value carries when its length is plausible, else its prefix.
    /// </summary>
    public static byte[] KeyOf(ReadOnlySpan<byte> encodedKey, ReadOnlySpan<byte> raw)
    {
        if (!KeyEncoding.IsHashed(encodedKey))
        {
            return encodedKey.ToArray();
        }
        if (encodedKey.Length == KeyEncoding.EmptyKeyLength)
        {
            return [];
        }
        if (raw.Length >= StoredValue.HeaderLength + 4)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(raw[StoredValue.HeaderLength..]);
            if (length > KeyEncoding.MaxInlineKey && length <= raw.Length - StoredValue.HeaderLength - 4 &&
                raw.Slice(StoredValue.HeaderLength + 4, KeyEncoding.MaxInlineKey).SequenceEqual(encodedKey[..KeyEncoding.MaxInlineKey]))
            {
                return raw.Slice(StoredValue.HeaderLength + 4, length).ToArray();
            }
        }
        return encodedKey[..KeyEncoding.MaxInlineKey].ToArray();
    }

    /// <summary>
    /// A key as it may appear inside an error line: printable ASCII as is, other bytes as <c>\xHH</c> (as redis-cli
    /// shows them), quotes and backslashes escaped, at most 200 bytes of it.
    /// </summary>
    public static string Printable(ReadOnlySpan<byte> key)
    {
        const int Shown = 200;
        var text = new StringBuilder();
        foreach (var b in key.Length > Shown ? key[..Shown] : key)
        {
            if (b is (byte)'\\' or (byte)'\'' or (byte)'"')
            {
                text.Append('\\').Append((char)b);
            }
            else if (b is >= 0x20 and < 0x7f)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }
        if (key.Length > Shown)
        {
            text.Append("...");
        }
        return text.ToString();
    }
}
