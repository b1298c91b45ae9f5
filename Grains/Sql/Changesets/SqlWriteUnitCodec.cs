using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace IceFire.Grains.Sql;

/// <summary>
/// The bytes of a <see cref="SqlWriteUnit"/>, standalone so that it can ride inside a tenant's Raft entry.
/// </summary>
/// <remarks>
/// Layout: version (1 byte, now 1), part count (varint), then per part its kind (1 byte, <see cref="SqlWritePartKind"/>),
/// its payload length (varint) and the payload. Varints are unsigned LEB128, at most 5 bytes, values below 2^31.
/// Decoding refuses another version, an unknown kind, a length past the end of the input and trailing bytes, so a
/// replica never applies a unit it does not fully understand.
/// </remarks>
public static class SqlWriteUnitCodec
{
    /// <summary>The layout this version writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Encodes <paramref name="unit"/> into a new array.</summary>
    public static byte[] Encode(SqlWriteUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var length = 1 + VarintLength(unit.Parts.Count);
        foreach (var part in unit.Parts)
        {
            length += 1 + VarintLength(part.Payload.Length) + part.Payload.Length;
        }
        var writer = new ArrayBufferWriter<byte>(length);
        writer.GetSpan(1)[0] = Version;
        writer.Advance(1);
        WriteVarint(writer, unit.Parts.Count);
        foreach (var part in unit.Parts)
        {
            writer.GetSpan(1)[0] = (byte)part.Kind;
            writer.Advance(1);
            WriteVarint(writer, part.Payload.Length);
            writer.Write(part.Payload);
        }
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a unit written by <see cref="Encode"/>.</summary>
    /// <exception cref="SqlWriteUnitFormatException">The bytes are not a whole unit of this version.</exception>
    public static SqlWriteUnit Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            Fail("it is empty");
        }
        if (bytes[0] != Version)
        {
            Fail($"its version is {bytes[0]}, this replica reads version {Version}");
        }
        var offset = 1;
        var count = ReadVarint(bytes, ref offset);
        // Every part takes at least two bytes, so a count beyond that is a lie told before any allocation.
        if (count > (bytes.Length - offset) / 2)
        {
            Fail($"it claims {count} parts in {bytes.Length - offset} bytes");
        }
        var parts = new SqlWritePart[count];
        for (var i = 0; i < count; i++)
        {
            if (offset >= bytes.Length)
            {
                Fail($"it ends before part {i}");
            }
            var kind = (SqlWritePartKind)bytes[offset++];
            if (kind is not (SqlWritePartKind.Changeset or SqlWritePartKind.Statement))
            {
                Fail($"part {i} has the unknown kind {(byte)kind}");
            }
            var length = ReadVarint(bytes, ref offset);
            if (length > bytes.Length - offset)
            {
                Fail($"part {i} claims {length} bytes and {bytes.Length - offset} remain");
            }
            parts[i] = new SqlWritePart(kind, bytes.Slice(offset, length).ToArray());
            offset += length;
        }
        if (offset != bytes.Length)
        {
            Fail($"{bytes.Length - offset} bytes follow its last part");
        }
        return count == 0 ? SqlWriteUnit.Empty : new SqlWriteUnit(parts);
    }

    private static int VarintLength(int value)
    {
        var length = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7)
        {
            length++;
        }
        return length;
    }

    private static void WriteVarint(ArrayBufferWriter<byte> writer, int value)
    {
        var span = writer.GetSpan(5);
        var i = 0;
        var v = (uint)value;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        writer.Advance(i);
    }

    private static int ReadVarint(ReadOnlySpan<byte> bytes, ref int offset)
    {
        ulong value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (offset >= bytes.Length)
            {
                Fail("it ends inside a length");
            }
            var b = bytes[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (value > int.MaxValue)
                {
                    Fail($"a length of {value} is out of range");
                }
                return (int)value;
            }
        }
        Fail("a length runs over 5 bytes");
        return 0;
    }

    [DoesNotReturn]
    private static void Fail(string reason) =>
        throw new SqlWriteUnitFormatException("The SQL write unit is malformed: " + reason + ".");
}

/// <summary>A SQL write unit's bytes are not a unit this replica can read: a corrupt or foreign log entry.</summary>
public sealed class SqlWriteUnitFormatException(string message) : Exception(message);
