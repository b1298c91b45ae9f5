using System.Buffers.Binary;
using System.Security.Cryptography;

namespace IceFire.Ledger;

/// <summary>
/// A SHA-256 value: an entry id or a transaction id. Ordered as its bytes are (big-endian), which is the tie-break
/// of the ledger's total order and the order of repeated id fields.
/// </summary>
public readonly struct Digest : IEquatable<Digest>, IComparable<Digest>
{
    /// <summary>Length of a digest in bytes.</summary>
    public const int Length = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    private Digest(ulong a, ulong b, ulong c, ulong d)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    /// <summary>Reads a digest from exactly <see cref="Length"/> bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public static Digest Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a digest is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }
        return new Digest(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>The SHA-256 of <paramref name="data"/>.</summary>
    public static Digest Of(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Length];
        SHA256.HashData(data, hash);
        return Read(hash);
    }

    /// <summary>Parses 64 hex digits.</summary>
    public static Digest Parse(string hex) => Read(Convert.FromHexString(hex));

    /// <summary>Writes the 32 bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>The 32 bytes in a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>The bytes as a protobuf <c>bytes</c> value.</summary>
    public Google.Protobuf.ByteString ToByteString() => Google.Protobuf.ByteString.CopyFrom(ToArray());

    public bool Equals(Digest other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Digest other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public int CompareTo(Digest other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
        {
            return c;
        }
        c = _b.CompareTo(other._b);
        if (c != 0)
        {
            return c;
        }
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    public static bool operator ==(Digest left, Digest right) => left.Equals(right);

    public static bool operator !=(Digest left, Digest right) => !left.Equals(right);

    public static bool operator <(Digest left, Digest right) => left.CompareTo(right) < 0;

    public static bool operator >(Digest left, Digest right) => left.CompareTo(right) > 0;

    public static bool operator <=(Digest left, Digest right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Digest left, Digest right) => left.CompareTo(right) >= 0;

    /// <summary>Lowercase hex, as ids are shown and addressed.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToArray());
}
