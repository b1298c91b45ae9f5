using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// A value as stored: [kind:1][flags:1][expire-at ms, little-endian:8][whole key if long: length:4, bytes][payload]
/// [checksum:4] (<see cref="RecordChecksum"/> over the LMDB key and everything before it).
/// Spans point into the LMDB map and live as long as the transaction (or until its next write).
/// </summary>
public readonly ref struct StoredValue
{
    public const int HeaderLength = 10;

    private StoredValue(ReadOnlySpan<byte> body)
    {
        if (body.Length < HeaderLength)
        {
            ThrowCorrupt();
        }
        Kind = (ValueKind)body[0];
        Flags = (ValueFlags)body[1];
        ExpireAtMs = BinaryPrimitives.ReadInt64LittleEndian(body[2..]);
        var rest = body[HeaderLength..];
        if ((Flags & ValueFlags.LongKey) != 0)
        {
            var length = rest.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(rest) : -1;
            if (length < 0 || length > rest.Length - 4)
            {
                ThrowCorrupt();
            }
            FullKey = rest.Slice(4, length);
            rest = rest[(4 + length)..];
        }
        else
        {
            FullKey = default;
        }
        Payload = rest;
    }

    public ValueKind Kind { get; }

    public ValueFlags Flags { get; }

    /// <summary>Absolute expiry in Unix milliseconds; 0 when the key does not expire.</summary>
    public long ExpireAtMs { get; }

    /// <summary>The whole key when it was too long to be the LMDB key; empty otherwise.</summary>
    public ReadOnlySpan<byte> FullKey { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public bool HasExpiry => ExpireAtMs != 0;

    public bool IsExpired(long nowMs) => ExpireAtMs != 0 && ExpireAtMs <= nowMs;

    /// <summary>
    /// Reads the record <paramref name="raw"/> stored under the LMDB key <paramref name="encodedKey"/> of logical
    /// database <paramref name="db"/>, after checking its checksum.
    /// </summary>
    /// <exception cref="StoredValueChecksumException">The record is not what was written: its bytes are never returned.</exception>
    public static StoredValue Read(scoped ReadOnlySpan<byte> encodedKey, ReadOnlySpan<byte> raw, int db)
    {
        if (!RecordChecksum.IsValid(encodedKey, raw))
        {
            StoredValueChecksumException.ThrowForKey(encodedKey, raw, db);
        }
        return new StoredValue(raw[..^RecordChecksum.Length]);
    }

    /// <summary>Like <see cref="Read"/>, but answers false for a record that fails its checksum.</summary>
    public static bool TryRead(scoped ReadOnlySpan<byte> encodedKey, ReadOnlySpan<byte> raw, out StoredValue value)
    {
        if (!RecordChecksum.IsValid(encodedKey, raw))
        {
            value = default;
            return false;
        }
        value = new StoredValue(raw[..^RecordChecksum.Length]);
        return true;
    }

    /// <summary>Parses a value's bytes without its checksum (a format 1 record, or the body of a format 2 one).</summary>
    public static StoredValue Parse(ReadOnlySpan<byte> body) => new(body);

    /// <summary>Bytes a value needs besides its payload: the header, the whole key when long, the checksum.</summary>
    public static int Overhead(ReadOnlySpan<byte> key) => HeaderLength + (KeyEncoding.IsLong(key) ? 4 + key.Length : 0) + RecordChecksum.Length;

    /// <summary>Writes the header (and the whole key when long); returns where the payload starts.</summary>
    public static int WriteHeader(Span<byte> destination, ValueKind kind, long expireAtMs, ReadOnlySpan<byte> key)
    {
        var isLong = KeyEncoding.IsLong(key);
        destination[0] = (byte)kind;
        destination[1] = (byte)(isLong ? ValueFlags.LongKey : ValueFlags.None);
        BinaryPrimitives.WriteInt64LittleEndian(destination[2..], expireAtMs);
        if (!isLong)
        {
            return HeaderLength;
        }
        BinaryPrimitives.WriteInt32LittleEndian(destination[HeaderLength..], key.Length);
        key.CopyTo(destination[(HeaderLength + 4)..]);
        return HeaderLength + 4 + key.Length;
    }

    /// <summary>Rewrites the expiry of a stored value in place; the caller seals the record again.</summary>
    public static void SetExpireAt(Span<byte> raw, long expireAtMs) => BinaryPrimitives.WriteInt64LittleEndian(raw[2..], expireAtMs);

    [DoesNotReturn]
    private static void ThrowCorrupt() => throw new StorageCorruptionException("a stored value is shorter than its header");
}

/// <summary>Stored data does not have the shape IceFire writes: the data directory is damaged.</summary>
public class StorageCorruptionException(string message) : Exception(message);
