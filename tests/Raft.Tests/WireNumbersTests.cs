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
}
