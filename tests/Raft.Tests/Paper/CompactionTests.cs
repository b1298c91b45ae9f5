namespace IceFire.Raft.Tests.Paper;

/// <summary>§7 Log compaction and InstallSnapshot in chunks.</summary>
public sealed class CompactionTests
{
    [Fact]
    public void LaggingFollowerCatchesUpThroughAChunkedSnapshot()
    {
        var g = new ScriptedGroup(3, o => o.SnapshotChunkBytes = 10);
        g.Elect(1);
        g.Crash(3);
        for (var i = 0; i < 20; i++) g.Propose(1, $"e{i}");
        g.DeliverAll();
        var leader = g[1];
        var image = new byte[95];
        Random.Shared.NextBytes(image);
        var snap = g.Durable[1].SaveSnapshot(leader.SnapshotMetadataAt(leader.Applied), image);
        leader.Compact(snap);
        Assert.Equal(snap.Metadata.Index + 1, leader.FirstIndex);
        g.Propose(1, "after");
        g.DeliverAll();
        g.Start(3);
        g.Sent.Clear();
        g.TickAll(5);
        var chunks = g.Sent.Where(m => m.Type == MessageType.Snapshot && m.To == 3).ToList();
        Assert.Equal(10, chunks.Select(m => m.Offset).Distinct().Count());
        Assert.All(chunks, m => Assert.True(m.Data.Length <= 10));
        Assert.Single(chunks, m => m.Done);
        // The leader keeps no snapshot bytes: each chunk named a byte range the host read from storage.
        Assert.All(chunks, m => Assert.Equal(m.ChunkLength, m.Data.Length));
        Assert.Equal(image, g.Durable[3].Image);
        Assert.Equal(snap.Metadata.Index, g.Durable[3].Snapshot.Metadata.Index);
        Assert.Equal(leader.LastIndex, g[3].LastIndex);
        Assert.Contains("after", g.AppliedTexts(3));
    }

    [Fact]
    public void RestartReplaysFromSnapshotAndRemainingEntries()
    {
        var g = new ScriptedGroup(1);
        g.Elect(1);
        for (var i = 0; i < 5; i++) g.Propose(1, $"e{i}");
        var snap = g.Durable[1].SaveSnapshot(g[1].SnapshotMetadataAt(3), [1, 2, 3]);
        g[1].Compact(snap);
        g.Crash(1);
        g.Start(1);
        Assert.Equal(4UL, g[1].FirstIndex);
        Assert.Equal(["e0", "e1", "e2", "e3", "e4"], g.AppliedTexts(1));
        Assert.Equal(6UL, g[1].Commit);
    }

    [Fact]
    public void DuplicatedAndReorderedChunksDoNotCorruptTheImage()
    {
        var node = new RaftNode(new RaftOptions { Id = 2 }, RaftInitialState.Bootstrap(1, 2, 3));
        var meta = new SnapshotMetadata(50, 3, new ConfState([1, 2, 3], []));
        var data = Enumerable.Range(0, 30).Select(i => (byte)i).ToArray();
        Message Chunk(int offset, int length, bool done) => new()
        {
            Type = MessageType.Snapshot, From = 1, To = 2, Term = 3, Snapshot = meta, Offset = (ulong)offset,
            Data = data.AsSpan(offset, length).ToArray(), Done = done,
        };
        Snapshot? installed = null;
        var image = new List<byte>();
        foreach (var m in new[] { Chunk(0, 10, false), Chunk(20, 10, true), Chunk(0, 10, false), Chunk(10, 10, false), Chunk(10, 10, false), Chunk(20, 10, true) })
        {
            node.Step(m);
            var ready = node.GetReady();
            foreach (var chunk in ready.SnapshotChunks)
            {
                // Written to the partial image as a store does: offset 0 starts over, any other chunk follows.
                if (chunk.Offset == 0) image.Clear();
                Assert.Equal(image.Count, chunk.Offset);
                image.AddRange(chunk.Data);
            }

            installed ??= ready.Snapshot;
            node.Advance(ready);
        }

        Assert.NotNull(installed);
        Assert.Equal(data.Length, installed.Length);
        Assert.Equal(data, image);
        Assert.Equal(50UL, node.Commit);
    }

    [Fact]
    public void SnapshotCarriesTheMembershipAtItsIndex()
    {
        var g = new ScriptedGroup(3, joining: 1);
        g.Elect(1);
        g.DeliverAll();
        g[1].ProposeConfChange(new ConfChange(ConfChangeType.AddLearner, 4));
        g.Drain(1);
        g.DeliverAll();
        g.TickAll(2);
        Assert.True(g[1].SnapshotMetadataAt(g[1].Applied).Config.IsLearner(4));
    }
}
