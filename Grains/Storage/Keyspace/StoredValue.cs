using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace IceFire.Grains.Storage.Keyspace;

/// <summary>
/// A value as stored: [kind:1][flags:1][expire-at ms, little-endian:8][whole key if long: length:4, bytes][payload].
/// Spans point into the LMDB map and live as long as the transaction (or until its next write).
/// </summary>
public readonly ref struct StoredValue
{
    public const int HeaderLength = 10;

    public StoredValue(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < HeaderLength)
        {
            ThrowCorrupt();
        }
        Kind = (ValueKind)raw[0];
        Flags = (ValueFlags)raw[1];
        ExpireAtMs = BinaryPrimitives.ReadInt64LittleEndian(raw[2..]);
        var rest = raw[HeaderLength..];
        if ((Flags & ValueFlags.LongKey) != 0)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(rest);
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

    /// <summary>Bytes a value needs besides its payload.</summary>
    public static int Overhead(ReadOnlySpan<byte> key) => HeaderLength + (KeyEncoding.IsLong(key) ? 4 + key.Length : 0);

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

    /// <summary>Rewrites the expiry of a stored value in place.</summary>
    public static void SetExpireAt(Span<byte> raw, long expireAtMs) => BinaryPrimitives.WriteInt64LittleEndian(raw[2..], expireAtMs);

    [DoesNotReturn]
    private static void ThrowCorrupt() => throw new StorageCorruptionException("a stored value is shorter than its header");
}

/// <summary>Stored data does not have the shape IceFire writes: the data directory is damaged.</summary>
public sealed class StorageCorruptionException(string message) : Exception(message);
