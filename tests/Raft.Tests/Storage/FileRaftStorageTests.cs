using FsCheck;
using FsCheck.Fluent;
using IceFire.Raft.Storage;
using IceFire.Raft.Tests.Simulation;

namespace IceFire.Raft.Tests.Storage;

/// <summary>The file log store: what survives a reopen, torn tails, corruption, compaction.</summary>
public sealed class FileRaftStorageTests : IDisposable
{
    private static readonly ConfState Voters = new([1, 2, 3], []);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "icefire-raft-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static Entry E(ulong index, ulong term, string text = "") => new(index, term, EntryType.Normal, System.Text.Encoding.UTF8.GetBytes(text + index));

    private static Snapshot Compact(IRaftStorage s, SnapshotMetadata meta, byte[] image) => s.Compact(meta, path => File.WriteAllBytes(path, image));

    private static byte[] Image(IRaftStorage s, ulong index) => File.ReadAllBytes(s.SnapshotPath(index)!);

    private RaftInitialState Reopen(string? dir = null)
    {
        using var s = FileRaftStorage.Open(dir ?? _dir, Voters);
        return s.Load();
    }

    [Fact]
    public void NewStoreStartsFromTheBootstrapMembership()
    {
        var state = Reopen();
        Assert.Equal(0UL, state.Snapshot.Metadata.Index);
        Assert.Equal(Voters, state.Snapshot.Metadata.Config);
        Assert.Empty(state.Entries);
    }

    [Fact]
    public void EntriesAndHardStateSurviveAReopen()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(new HardState(2, 1, 0), [E(1, 1), E(2, 2)], null, sync: true);
            s.Save(new HardState(2, 1, 2), [], null, sync: true);
        }

        var state = Reopen();
        Assert.Equal(new HardState(2, 1, 2), state.HardState);
        Assert.Equal([E(1, 1).Data, E(2, 2).Data], state.Entries.Select(e => e.Data));
        Assert.Equal([1UL, 2UL], state.Entries.Select(e => e.Term));
    }

    [Fact]
    public void AnEntryAtAStoredIndexReplacesTheSuffix()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1), E(3, 1), E(4, 1)], null, sync: true);
            s.Save(null, [E(3, 2, "new")], null, sync: true);
        }

        var state = Reopen();
        Assert.Equal([(1UL, 1UL), (2UL, 1UL), (3UL, 2UL)], state.Entries.Select(e => (e.Index, e.Term)));
    }

    [Fact]
    public void TornTailIsCutOffAtReopen()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(new HardState(1, 1, 1), [E(1, 1)], null, sync: true);
            s.Save(null, [E(2, 1, "torn")], null, sync: true);
        }

        var log = Path.Combine(_dir, "raft.log");
        var bytes = File.ReadAllBytes(log);
        File.WriteAllBytes(log, bytes[..^3]);
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            var state = s.Load();
            Assert.Single(state.Entries);
            Assert.True(s.TruncatedTornBytes > 0);
            s.Save(null, [E(2, 1, "again")], null, sync: true);
        }

        Assert.Equal(2, Reopen().Entries.Count);
    }

    [Fact]
    public void CorruptRecordFollowedByMoreRecordsStopsTheStore()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1, "aaaaaaaa")], null, sync: true);
            s.Save(null, [E(2, 1)], null, sync: true);
        }

        var log = Path.Combine(_dir, "raft.log");
        var bytes = File.ReadAllBytes(log);
        bytes[LogRecordHeader + 20] ^= 0x40;
        File.WriteAllBytes(log, bytes);
        var e = Assert.Throws<RaftCorruptionException>(() => Reopen());
        Assert.Contains("checksum", e.Message);
    }

    private const int LogRecordHeader = 9;

    [Fact]
    public void CorruptSnapshotFileStopsTheStore()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1)], null, sync: true);
            Compact(s, new SnapshotMetadata(2, 1, Voters), [1, 2, 3, 4]);
        }

        var path = Directory.GetFiles(_dir, "snap-*.snap").Single();
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.Throws<RaftCorruptionException>(() => Reopen());
    }

    [Fact]
    public void CompactionKeepsLaterEntriesAndInstallReplacesTheLog()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1), E(3, 1)], null, sync: true);
            Compact(s, new SnapshotMetadata(2, 1, Voters), [9]);
        }

        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            var state = s.Load();
            Assert.Equal(2UL, state.Snapshot.Metadata.Index);
            Assert.Equal(1L, state.Snapshot.Length);
            Assert.Equal([9], Image(s, 2));
            Assert.Equal([3UL], state.Entries.Select(e => e.Index));
            var meta = new SnapshotMetadata(10, 3, Voters);
            s.WriteSnapshotChunk(meta, 0, [7, 8]);
            s.WriteSnapshotChunk(meta, 2, [9]);
            s.Save(new HardState(3, 0, 10), [], new Snapshot(meta, 3), sync: true);
        }

        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            var state = s.Load();
            Assert.Equal(10UL, state.Snapshot.Metadata.Index);
            Assert.Empty(state.Entries);
            Assert.Equal([7, 8, 9], Image(s, 10));
        }

        Assert.Single(Directory.GetFiles(_dir, "snap-*.snap"));
        Assert.Single(Directory.GetFiles(_dir, "snap-*.img"));
    }

    [Fact]
    public void SnapshotRecordLayoutIsFixed()
    {
        // Persisted by both stores: a change must come with a new version, never silently.
        var record = SnapshotRecord.Encode(new SnapshotMetadata(0x0102, 3, new ConfState([1, 2], [9])), new SnapshotImageInfo(0x10, 0xAABBCCDD));
        Assert.Equal("4946535201000000020100000000000003000000000000002000000002000000010000000100000000000000020000000000000009000000000000001000000000000000DDCCBBAAADAF5DD7", Convert.ToHexString(record));
        var (meta, image) = SnapshotRecord.Decode(record, "test");
        Assert.Equal(new SnapshotMetadata(0x0102, 3, new ConfState([1, 2], [9])), meta);
        Assert.Equal(new SnapshotImageInfo(0x10, 0xAABBCCDD), image);
        record[10] ^= 1;
        Assert.Throws<RaftCorruptionException>(() => SnapshotRecord.Decode(record, "test"));
    }

    [Fact]
    public void TornPartialImageIsDiscardedOnRestart()
    {
        var meta = new SnapshotMetadata(10, 3, Voters);
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1)], null, sync: true);
            Compact(s, new SnapshotMetadata(2, 1, Voters), [5]);
            // The process dies in the middle of a transfer: half an image, never installed.
            s.WriteSnapshotChunk(meta, 0, [1, 2, 3]);
        }

        Assert.Single(Directory.GetFiles(_dir, "*.partial"));
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            var state = s.Load();
            Assert.Equal(2UL, state.Snapshot.Metadata.Index);
            Assert.Empty(Directory.GetFiles(_dir, "*.partial"));
            // A transfer must start over at offset 0; the rest of a torn one is refused, never installed.
            Assert.Throws<InvalidOperationException>(() => s.WriteSnapshotChunk(meta, 3, [4]));
            Assert.Throws<InvalidOperationException>(() => s.Save(null, [], new Snapshot(meta, 3), sync: true));
        }
    }

    [Fact]
    public void ImageLeftByACrashBeforeItsRecordIsDeleted()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1), E(3, 1)], null, sync: true);
            Compact(s, new SnapshotMetadata(2, 1, Voters), [5]);
        }

        // A crash after the newer image was renamed into place but before the log named it.
        File.WriteAllBytes(Path.Combine(_dir, $"snap-{3:x16}.img"), [6, 6]);
        File.WriteAllBytes(Path.Combine(_dir, "snap.tmp"), [6]);
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            var state = s.Load();
            Assert.Equal(2UL, state.Snapshot.Metadata.Index);
            Assert.Equal([5], Image(s, 2));
        }

        Assert.Equal([$"snap-{2:x16}.img"], Directory.GetFiles(_dir, "snap*.img").Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(_dir, "snap.tmp")));
    }

    [Fact]
    public void CorruptOrMissingImageStopsTheStore()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1)], null, sync: true);
            Compact(s, new SnapshotMetadata(2, 1, Voters), [1, 2, 3, 4]);
        }

        var path = Directory.GetFiles(_dir, "snap-*.img").Single();
        var bytes = File.ReadAllBytes(path);
        bytes[1] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<RaftCorruptionException>(() => Reopen()).Message);
        File.WriteAllBytes(path, bytes[..3]);
        Assert.Contains("bytes", Assert.Throws<RaftCorruptionException>(() => Reopen()).Message);
        File.Delete(path);
        Assert.Contains("missing", Assert.Throws<RaftCorruptionException>(() => Reopen()).Message);
    }

    [Fact]
    public void FailedImageWriteChangesNothing()
    {
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1)], null, sync: true);
            Assert.Throws<IOException>(() => s.Compact(new SnapshotMetadata(2, 1, Voters), path =>
            {
                File.WriteAllBytes(path, [1]);
                throw new IOException("disk full");
            }));
        }

        var state = Reopen();
        Assert.Equal(0UL, state.Snapshot.Metadata.Index);
        Assert.Equal(2, state.Entries.Count);
        Assert.Empty(Directory.GetFiles(_dir, "snap*.img"));
        Assert.False(File.Exists(Path.Combine(_dir, "snap.tmp")));
    }

    [Fact]
    public void SnapshotChunksAreReadFromTheStoredFile()
    {
        var image = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            s.Save(null, [E(1, 1), E(2, 1)], null, sync: true);
            Compact(s, new SnapshotMetadata(2, 1, Voters), image);
            Assert.Equal(image[10..15], s.ReadSnapshotChunk(2, 10, 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => s.ReadSnapshotChunk(1, 0, 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => s.ReadSnapshotChunk(2, 98, 5));
        }

        using (var s = FileRaftStorage.Open(_dir, Voters))
        {
            s.Load();
            Assert.Equal(image[95..], s.ReadSnapshotChunk(2, 95, 5));
        }
    }

    [Fact]
    public void LogFileIsRewrittenWhenDeadRecordsDominate()
    {
        using var s = FileRaftStorage.Open(_dir, Voters);
        s.Load();
        var batch = Enumerable.Range(1, 6000).Select(i => E((ulong)i, 1)).ToList();
        s.Save(new HardState(1, 0, 6000), batch, null, sync: false);
        var before = s.LogFileBytes;
        Compact(s, new SnapshotMetadata(5990, 1, Voters), []);
        Assert.True(s.LogFileBytes < before / 10, $"log is {s.LogFileBytes} bytes, was {before}");
        s.Save(null, [E(6001, 1)], null, sync: true);
        s.Dispose();
        var state = Reopen();
        Assert.Equal(Enumerable.Range(5991, 11).Select(i => (ulong)i), state.Entries.Select(e => e.Index));
        Assert.Equal(6000UL, state.HardState.Commit);
    }

    [Fact]
    public void RandomBatchesReadBackLikeTheInMemoryModel()
    {
        Prop.ForAll<int>(seed =>
        {
            var dir = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
            var rng = new Random(seed);
            var model = new DurableState { Snapshot = new Snapshot(new SnapshotMetadata(0, 0, Voters), 0) };
            using (var s = FileRaftStorage.Open(dir, Voters))
            {
                s.Load();
                ulong term = 1;
                for (var step = 0; step < 30; step++)
                {
                    var first = model.Snapshot.Metadata.Index + 1;
                    var last = first + (ulong)model.Entries.Count - 1;
                    switch (rng.Next(4))
                    {
                        case 0 when model.Entries.Count > 2:
                            var at = model.Snapshot.Metadata.Index + 1 + (ulong)rng.Next(model.Entries.Count);
                            var t = model.Entries[(int)(at - first)].Term;
                            Compact(s, new SnapshotMetadata(at, t, Voters), [(byte)step]);
                            model.SaveSnapshot(new SnapshotMetadata(at, t, Voters), [(byte)step]);
                            break;
                        default:
                            var from = model.Entries.Count == 0 ? first : first + (ulong)rng.Next(model.Entries.Count + 1);
                            term += (ulong)rng.Next(2);
                            var ents = Enumerable.Range(0, rng.Next(1, 5)).Select(i => E(from + (ulong)i, term)).ToList();
                            var hs = new HardState(term, 0, 0);
                            s.Save(hs, ents, null, sync: false);
                            model.Persist(new Ready { Entries = ents, HardState = hs });
                            break;
                    }
                }
            }

            var state = Reopen(dir);
            return state.Snapshot.Metadata == model.Snapshot.Metadata
                && state.HardState == model.HardState
                && state.Entries.Select(e => (e.Index, e.Term)).SequenceEqual(model.Entries.Select(e => (e.Index, e.Term)));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(40));
    }
}
