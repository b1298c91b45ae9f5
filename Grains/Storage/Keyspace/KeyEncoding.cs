using System.Security.Cryptography;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// How a Redis key becomes an LMDB key. LMDB keys are at most 511 bytes; Redis keys up to 512 MB.
/// A key of at most <see cref="MaxInlineKey"/> bytes is stored as is, so the keyspace stays in byte
/// order and range scans are cursor walks. A longer key is stored as its first
/// <see cref="MaxInlineKey"/> bytes followed by the SHA-256 of the whole key (it still sorts by its
/// prefix), and the value keeps the whole key so lookups compare it exactly. The empty key, which Redis
/// allows and LMDB cannot store as a zero-length key, is stored as <see cref="EmptyKeyLength"/> zero bytes.
/// The forms cannot collide: an inline encoding is 1 to <see cref="MaxInlineKey"/> bytes, the empty key's
/// is <see cref="EmptyKeyLength"/> and a hashed one is <see cref="HashedLength"/>.
/// </summary>
public static class KeyEncoding
{
    public const int MaxInlineKey = 400;
    public const int HashedLength = MaxInlineKey + 32;

    /// <summary>Length of the empty key's encoding: longer than any inline key, shorter than a hashed one.</summary>
    public const int EmptyKeyLength = MaxInlineKey + 1;

    /// <summary>Room an encoded key can need.</summary>
    public const int MaxEncodedLength = HashedLength;

    /// <summary>True when the key needs the hashed form.</summary>
    public static bool IsLong(ReadOnlySpan<byte> key) => key.Length > MaxInlineKey;

    /// <summary>
    /// True when an encoded key is not the key itself (the hashed form, whose whole key lives in the value,
    /// or the empty key's form, whose value has an empty <see cref="StoredValue.FullKey"/>).
    /// </summary>
    public static bool IsHashed(ReadOnlySpan<byte> encoded) => encoded.Length > MaxInlineKey;

    /// <summary>Writes the encoding of <paramref name="key"/> into <paramref name="destination"/>; returns its length.</summary>
    public static int Encode(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        if (key.IsEmpty)
        {
            destination[..EmptyKeyLength].Clear();
            return EmptyKeyLength;
        }
        if (key.Length <= MaxInlineKey)
        {
            key.CopyTo(destination);
            return key.Length;
        }
        key[..MaxInlineKey].CopyTo(destination);
        SHA256.HashData(key, destination.Slice(MaxInlineKey, 32));
        return HashedLength;
    }
}
