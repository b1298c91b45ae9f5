using System.Buffers;
using System.Buffers.Binary;

namespace IceFire.Raft.Storage;

/// <summary>Kinds of records in the log file. Persisted: values are explicit and append-only.</summary>
internal enum LogRecordType : byte
{
    /// <summary>[index u64][term u64][entry type u8][data].</summary>
    Entry = 1,

    /// <summary>[term u64][vote u64][commit u64].</summary>
    HardState = 2,

    /// <summary>[index u64][term u64]: the log now starts after this snapshot; later entries are kept.</summary>
    SnapshotCompacted = 3,

    /// <summary>[index u64][term u64]: a snapshot from the leader replaced the whole log.</summary>
    SnapshotInstalled = 4,
}

/// <summary>
/// Framing of one record: [payload length u32][CRC-32C of type and payload u32][type u8][payload], little-endian.
/// </summary>
internal static class LogRecord
{
    public const int HeaderSize = 9;
    public const int MaxPayload = 256 << 20;

    public static void WriteEntry(IBufferWriter<byte> w, Entry e)
    {
        var span = Begin(w, 17 + e.Data.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(span, e.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], e.Term);
        span[16] = (byte)e.Type;
        e.Data.CopyTo(span[17..]);
        End(w, LogRecordType.Entry, 17 + e.Data.Length);
    }

    public static void WriteHardState(IBufferWriter<byte> w, HardState hs)
    {
        var span = Begin(w, 24);
        BinaryPrimitives.WriteUInt64LittleEndian(span, hs.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], hs.Vote);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], hs.Commit);
        End(w, LogRecordType.HardState, 24);
    }

    public static void WriteSnapshotMark(IBufferWriter<byte> w, LogRecordType type, ulong index, ulong term)
    {
        var span = Begin(w, 16);
        BinaryPrimitives.WriteUInt64LittleEndian(span, index);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], term);
        End(w, type, 16);
    }

    private static Span<byte> Begin(IBufferWriter<byte> w, int payload) => w.GetSpan(HeaderSize + payload)[HeaderSize..];

    private static void End(IBufferWriter<byte> w, LogRecordType type, int payload)
    {
        var span = w.GetSpan(HeaderSize + payload);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)payload);
        span[8] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32C.Compute(span.Slice(8, 1 + payload)));
        w.Advance(HeaderSize + payload);
    }
}
