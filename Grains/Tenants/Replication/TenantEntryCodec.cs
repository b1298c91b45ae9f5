using System.Buffers;
using System.Buffers.Binary;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>
/// The bytes of one Raft entry of a tenant group: the leader's clock and the command batches of one writer turn, in
/// order. Every replica decodes the same batches and applies them with the same clock, which is what keeps their
/// LMDB environments identical (see REPLICATION.md).
/// </summary>
/// <remarks>
/// Layout, little-endian: version (1 byte), clock in Unix milliseconds (8), batch count (varint); per batch its
/// command count (varint); per command its id (2), database (1), argument count (varint), then each argument as a
/// length (varint) and its bytes. Argument 0 is the command name as the client sent it.
/// </remarks>
public static class TenantEntryCodec
{
    /// <summary>The only layout this version writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Encodes the batches of one turn, stamped with the leader's clock.</summary>
    public static byte[] Encode(long nowMs, IReadOnlyList<CommandBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var writer = new ArrayBufferWriter<byte>(256);
        var head = writer.GetSpan(9);
        head[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(head[1..], nowMs);
        writer.Advance(9);
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
    public static long Decode(ReadOnlyMemory<byte> entry, Func<int, IReplyWriter> replies, List<CommandBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(replies);
        ArgumentNullException.ThrowIfNull(batches);
        var span = entry.Span;
        if (span.Length < 9)
        {
            throw new InvalidDataException($"a tenant entry of {span.Length} bytes is shorter than its header");
        }
        if (span[0] != Version)
        {
            throw new InvalidDataException($"tenant entry version {span[0]} is not {Version}, the one this silo applies");
        }
        var nowMs = BinaryPrimitives.ReadInt64LittleEndian(span[1..]);
        var offset = 9;
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
        return nowMs;
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
