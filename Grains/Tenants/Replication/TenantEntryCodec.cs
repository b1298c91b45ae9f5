using System.Buffers;
using System.Buffers.Binary;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>The fixed part of a tenant entry.</summary>
/// <param name="NowMs">The leader's clock for every command of the entry.</param>
/// <param name="Origin">The node that proposed the entry.</param>
/// <param name="Sequence">The proposer's number for it.</param>
public readonly record struct TenantEntryHeader(long NowMs, ulong Origin, ulong Sequence);

/// <summary>
/// The bytes of one Raft entry of a tenant group: the leader's clock and the command batches of one writer turn, in
/// order. Every replica decodes the same batches and applies them with the same clock, which is what keeps their
/// LMDB environments identical (see REPLICATION.md).
/// </summary>
/// <remarks>
/// Layout, little-endian: version (1 byte), clock in Unix milliseconds (8), the proposing node (8) and its proposal
/// number (8), which let the proposer find its waiting connections when the entry is applied, batch count (varint); per batch its
/// command count (varint); per command its id (2), database (1), argument count (varint), then each argument as a
/// length (varint) and its bytes. Argument 0 is the command name as the client sent it.
/// </remarks>
public static class TenantEntryCodec
{
    /// <summary>The only layout this version writes and reads.</summary>
    public const byte Version = 1;

    private const int HeaderLength = 25;

    /// <summary>Encodes the batches of one turn, stamped with the leader's clock and the proposal's origin.</summary>
    public static byte[] Encode(in TenantEntryHeader header, IReadOnlyList<CommandBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var writer = new ArrayBufferWriter<byte>(256);
        var head = writer.GetSpan(HeaderLength);
        head[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(head[1..], header.NowMs);
        BinaryPrimitives.WriteUInt64LittleEndian(head[9..], header.Origin);
        BinaryPrimitives.WriteUInt64LittleEndian(head[17..], header.Sequence);
        writer.Advance(HeaderLength);
        WriteVarint(writer, (ulong)batches.Count);
        foreach (var batch in batches)
        {
            WriteVarint(writer, (ulong)batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var command = batch[i];
                var span = writer.GetSpan(3);
                BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)command.Id);
                span[2] = checked((byte)command.Db);
                writer.Advance(3);
                var args = batch.Args(command);
                WriteVarint(writer, (ulong)args.Length);
                foreach (var arg in args)
                {
                    WriteVarint(writer, (ulong)arg.Length);
                    writer.Write(arg.Span);
                }
            }
        }
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes an entry into batches whose arguments point into <paramref name="entry"/> (no copies), each writing its
    /// replies to the writer <paramref name="replies"/> gives it. Throws <see cref="InvalidDataException"/> for an
    /// entry of another version or one that does not decode, so a replica stops instead of applying something else.
    /// </summary>
    public static TenantEntryHeader Decode(ReadOnlyMemory<byte> entry, Func<int, IReplyWriter> replies, List<CommandBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(replies);
        ArgumentNullException.ThrowIfNull(batches);
        var header = ReadHeader(entry.Span);
        var span = entry.Span;
        var offset = HeaderLength;
        var batchCount = ReadCount(span, ref offset);
        var args = new List<ReadOnlyMemory<byte>>();
        for (var b = 0; b < batchCount; b++)
        {
            var batch = new CommandBatch(replies(b));
            var commandCount = ReadCount(span, ref offset);
            for (var c = 0; c < commandCount; c++)
            {
                Need(span, offset, 3);
                var id = (CommandId)BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
                int db = span[offset + 2];
                offset += 3;
                CommandInfo info;
                try
                {
                    info = CommandTable.Get(id);
                }
                catch (ArgumentOutOfRangeException)
                {
                    throw new InvalidDataException($"tenant entry names unknown command {(int)id}");
                }
                var argCount = ReadCount(span, ref offset);
                args.Clear();
                for (var a = 0; a < argCount; a++)
                {
                    var length = ReadCount(span, ref offset);
                    Need(span, offset, length);
                    args.Add(entry.Slice(offset, length));
                    offset += length;
                }
                batch.Add(info, db, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(args));
            }
            batches.Add(batch);
        }
        if (offset != span.Length)
        {
            throw new InvalidDataException($"tenant entry has {span.Length - offset} bytes after its last command");
        }
        return header;
    }

    /// <summary>The clock and origin of an entry, without decoding its commands.</summary>
    public static TenantEntryHeader ReadHeader(ReadOnlySpan<byte> span)
    {
        if (span.Length < HeaderLength)
        {
            throw new InvalidDataException($"a tenant entry of {span.Length} bytes is shorter than its header");
        }
        if (span[0] != Version)
        {
            throw new InvalidDataException($"tenant entry version {span[0]} is not {Version}, the one this silo applies");
        }
        return new TenantEntryHeader(
            BinaryPrimitives.ReadInt64LittleEndian(span[1..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[9..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[17..]));
    }

    private static void WriteVarint(ArrayBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        writer.Advance(n);
    }

    private static int ReadCount(ReadOnlySpan<byte> span, ref int offset)
    {
        ulong value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            Need(span, offset, 1);
            var b = span[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value <= int.MaxValue ? (int)value : throw new InvalidDataException($"tenant entry count {value} is too large");
            }
        }
        throw new InvalidDataException("tenant entry has a count longer than five bytes");
    }

    private static void Need(ReadOnlySpan<byte> span, int offset, int length)
    {
        if (length > span.Length - offset)
        {
            throw new InvalidDataException($"tenant entry ends at byte {span.Length}, inside a field that needs {length} bytes from {offset}");
        }
    }
}
