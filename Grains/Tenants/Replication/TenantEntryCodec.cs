using System.Buffers;
using System.Buffers.Binary;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Replication;

/// <summary>What a tenant entry asks every replica to do. Persisted: values are append-only.</summary>
public enum TenantEntryKind : byte
{
    /// <summary>Run the entry's command batches, in order.</summary>
    Commands = 0,

    /// <summary>Active expiry: remove up to a limit of keys whose time is up at the entry's clock, oldest first.</summary>
    ExpirySweep = 1,

    /// <summary>One committed write transaction of the tenant's SQL database (a <see cref="Sql.SqlWriteUnit"/>).</summary>
    Sql = 2,
}

/// <summary>The fixed part of a tenant entry.</summary>
/// <param name="NowMs">The leader's clock for every command of the entry.</param>
/// <param name="Origin">The node that proposed the entry.</param>
/// <param name="Sequence">The proposer's number for it.</param>
/// <param name="Kind">What the entry holds; entries of version 1 hold commands only.</param>
public readonly record struct TenantEntryHeader(long NowMs, ulong Origin, ulong Sequence, TenantEntryKind Kind = TenantEntryKind.Commands);

/// <summary>
/// The bytes of one Raft entry of a tenant group: the leader's clock and the command batches of one writer turn, in
/// order. Every replica decodes the same batches and applies them with the same clock, which is what keeps their
/// LMDB environments identical (see REPLICATION.md).
/// </summary>
/// <remarks>
/// Layout, little-endian: version (1 byte), clock in Unix milliseconds (8), the proposing node (8) and its proposal
/// number (8), which let the proposer find its waiting connections when the entry is applied, then, from version 2,
/// the entry's kind (1). A command entry continues with its batch count (varint); per batch its command count
/// (varint); per command its id (2), database (1), argument count (varint), then each argument as a length (varint)
/// and its bytes. Argument 0 is the command name as the client sent it. An expiry sweep continues with its limit
/// (varint). A SQL entry continues with its write unit as <see cref="Sql.SqlWriteUnitCodec"/> encodes it. Version 1
/// is version 2 without the kind byte, always commands; it is still read.
/// </remarks>
public static class TenantEntryCodec
{
    /// <summary>The layout this version writes; it reads this one and version 1.</summary>
    public const byte Version = 2;

    private const byte Version1 = 1;
    private const int Version1HeaderLength = 25;
    private const int HeaderLength = 26;

    /// <summary>
    /// Encodes the batches of one turn, stamped with the leader's clock and the proposal's origin. The entry is sized
    /// first and written into one array of exactly its length: it is made once per write batch and its values can be
    /// large, so no growing buffer and no final copy.
    /// </summary>
    public static byte[] Encode(in TenantEntryHeader header, IReadOnlyList<CommandBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var length = HeaderLength + VarintLength((ulong)batches.Count);
        foreach (var batch in batches)
        {
            length += VarintLength((ulong)batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var args = batch.Args(batch[i]);
                length += 3 + VarintLength((ulong)args.Length);
                foreach (var arg in args)
                {
                    length += VarintLength((ulong)arg.Length) + arg.Length;
                }
            }
        }
        var entry = new byte[length];
        var span = entry.AsSpan();
        span[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], header.NowMs);
        BinaryPrimitives.WriteUInt64LittleEndian(span[9..], header.Origin);
        BinaryPrimitives.WriteUInt64LittleEndian(span[17..], header.Sequence);
        span[25] = (byte)TenantEntryKind.Commands;
        var at = HeaderLength;
        WriteVarint(span, ref at, (ulong)batches.Count);
        foreach (var batch in batches)
        {
            WriteVarint(span, ref at, (ulong)batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var command = batch[i];
                BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)command.Id);
                span[at + 2] = checked((byte)command.Db);
                at += 3;
                var args = batch.Args(command);
                WriteVarint(span, ref at, (ulong)args.Length);
                foreach (var arg in args)
                {
                    WriteVarint(span, ref at, (ulong)arg.Length);
                    arg.Span.CopyTo(span[at..]);
                    at += arg.Length;
                }
            }
        }
        if (at != length)
        {
            throw new InvalidOperationException($"tenant entry sized {length} bytes but {at} were written");
        }
        return entry;
    }

    private static int VarintLength(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    private static void WriteVarint(Span<byte> span, ref int at, ulong value)
    {
        while (value >= 0x80)
        {
            span[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[at++] = (byte)value;
    }

    /// <summary>An active expiry sweep of at most <paramref name="limit"/> keys at the header's clock.</summary>
    public static byte[] EncodeSweep(in TenantEntryHeader header, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var writer = new ArrayBufferWriter<byte>(HeaderLength + 5);
        WriteHeader(writer, header with { Kind = TenantEntryKind.ExpirySweep });
        WriteVarint(writer, (ulong)limit);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The limit of an expiry sweep entry.</summary>
    public static int DecodeSweep(ReadOnlySpan<byte> entry)
    {
        var header = ReadHeader(entry);
        if (header.Kind != TenantEntryKind.ExpirySweep)
        {
            throw new InvalidDataException($"tenant entry of kind {header.Kind} is not an expiry sweep");
        }
        var offset = HeaderLength;
        var limit = ReadCount(entry, ref offset);
        if (offset != entry.Length || limit == 0)
        {
            throw new InvalidDataException("tenant expiry sweep entry is malformed");
        }
        return limit;
    }

    /// <summary>A SQL write transaction's unit, stamped like any entry.</summary>
    public static byte[] EncodeSql(in TenantEntryHeader header, Sql.SqlWriteUnit unit)
    {
        var body = Sql.SqlWriteUnitCodec.Encode(unit);
        var writer = new ArrayBufferWriter<byte>(HeaderLength + body.Length);
        WriteHeader(writer, header with { Kind = TenantEntryKind.Sql });
        writer.Write(body);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>The write unit of a SQL entry.</summary>
    public static Sql.SqlWriteUnit DecodeSql(ReadOnlySpan<byte> entry)
    {
        var header = ReadHeader(entry);
        if (header.Kind != TenantEntryKind.Sql)
        {
            throw new InvalidDataException($"tenant entry of kind {header.Kind} is not a SQL write");
        }
        return Sql.SqlWriteUnitCodec.Decode(entry[HeaderLength..]);
    }

    private static void WriteHeader(ArrayBufferWriter<byte> writer, in TenantEntryHeader header)
    {
        var head = writer.GetSpan(HeaderLength);
        head[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(head[1..], header.NowMs);
        BinaryPrimitives.WriteUInt64LittleEndian(head[9..], header.Origin);
        BinaryPrimitives.WriteUInt64LittleEndian(head[17..], header.Sequence);
        head[25] = (byte)header.Kind;
        writer.Advance(HeaderLength);
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
        if (header.Kind != TenantEntryKind.Commands)
        {
            throw new InvalidDataException($"tenant entry of kind {header.Kind} holds no commands");
        }
        var span = entry.Span;
        var offset = span[0] == Version1 ? Version1HeaderLength : HeaderLength;
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

    /// <summary>The clock, origin and kind of an entry, without decoding its body.</summary>
    public static TenantEntryHeader ReadHeader(ReadOnlySpan<byte> span)
    {
        if (span.Length == 0 || span[0] is not (Version or Version1))
        {
            throw new InvalidDataException($"tenant entry version {(span.Length == 0 ? "(none)" : span[0])} is not one this silo applies (1 or {Version})");
        }
        var length = span[0] == Version1 ? Version1HeaderLength : HeaderLength;
        if (span.Length < length)
        {
            throw new InvalidDataException($"a tenant entry of {span.Length} bytes is shorter than its header");
        }
        var kind = span[0] == Version1 ? TenantEntryKind.Commands : (TenantEntryKind)span[25];
        if (kind is not (TenantEntryKind.Commands or TenantEntryKind.ExpirySweep or TenantEntryKind.Sql))
        {
            throw new InvalidDataException($"tenant entry kind {(byte)kind} is unknown");
        }
        return new TenantEntryHeader(
            BinaryPrimitives.ReadInt64LittleEndian(span[1..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[9..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[17..]),
            kind);
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
