using System.Buffers;
using IceFire.Raft.Storage;
using IceFire.Raft.Transport.Wire;

namespace IceFire.Raft.Tests;

/// <summary>Numbers that reach disk or the wire are append-only: changing one breaks existing data.</summary>
public sealed class WireNumbersTests
{
    [Fact]
    public void EnumValuesAreFixed()
    {
        Assert.Equal(
            [(1, "Append"), (2, "AppendResponse"), (3, "RequestVote"), (4, "RequestVoteResponse"), (5, "RequestPreVote"),
             (6, "RequestPreVoteResponse"), (7, "Heartbeat"), (8, "HeartbeatResponse"), (9, "Snapshot"), (10, "SnapshotResponse"),
             (11, "TimeoutNow"), (12, "ReadIndex"), (13, "ReadIndexResponse")],
            Enum.GetValues<MessageType>().Select(v => ((int)v, v.ToString())));
        Assert.Equal([(0, "Normal"), (1, "Config")], Enum.GetValues<EntryType>().Select(v => ((int)v, v.ToString())));
        Assert.Equal([(0, "AddVoter"), (1, "AddLearner"), (2, "RemoveNode")], Enum.GetValues<ConfChangeType>().Select(v => ((int)v, v.ToString())));
    }

    [Fact]
    public void ConfStateEncodingIsStable()
    {
        var bytes = new ConfState([3, 1], [7]).Encode();
        Assert.Equal("02000000010000000100000000000000030000000000000007000000000000000", Convert.ToHexString(bytes).ToLowerInvariant() + "0");
        Assert.Equal(new ConfState([1, 3], [7]), ConfState.Decode(bytes));
    }

    [Fact]
    public void LogRecordTypesAndEncodingAreFixed()
    {
        Assert.Equal([(1, "Entry"), (2, "HardState"), (3, "SnapshotCompacted"), (4, "SnapshotInstalled")], Enum.GetValues<LogRecordType>().Select(v => ((int)v, v.ToString())));
        var w = new ArrayBufferWriter<byte>();
        LogRecord.WriteEntry(w, new Entry(7, 3, EntryType.Normal, [0xAB]));
        // [length 18][crc][type 1][index 7][term 3][entry type 0][data]
        Assert.Equal("12000000", Convert.ToHexString(w.WrittenSpan[..4]));
        Assert.Equal(Crc32C.Compute(w.WrittenSpan[8..]), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(w.WrittenSpan[4..]));
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8)); // the standard CRC-32C check value
        Assert.Equal("01" + "0700000000000000" + "0300000000000000" + "00" + "AB", Convert.ToHexString(w.WrittenSpan[8..]));
    }

    [Fact]
    public void ProtobufFieldNumbersAreFixed()
    {
        static string Fields(Google.Protobuf.Reflection.MessageDescriptor d) =>
            string.Join(",", d.Fields.InFieldNumberOrder().Select(f => $"{f.FieldNumber}:{f.Name}"));
        Assert.Equal("1:index,2:term,3:type,4:data", Fields(WireEntry.Descriptor));
        Assert.Equal("1:voters,2:learners", Fields(WireConfState.Descriptor));
        Assert.Equal("1:index,2:term,3:config", Fields(WireSnapshotMetadata.Descriptor));
        Assert.Equal("1:group,2:type,3:from,4:to,5:term,6:log_term,7:index,8:entries,9:commit,10:reject,11:reject_hint,12:context,13:snapshot,14:offset,15:data,16:done", Fields(WireMessage.Descriptor));
        Assert.Equal("1:group,2:term,3:commit,4:context,5:quiesce", Fields(WireHeartbeat.Descriptor));
        Assert.Equal("1:from_node,2:messages,3:heartbeats,4:heartbeat_responses", Fields(WireFrame.Descriptor));
    }
}
