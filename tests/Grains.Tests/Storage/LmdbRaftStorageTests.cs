using IceFire.Grains.Storage.Lmdb;
using IceFire.Grains.Storage.Raft;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using Xunit;

namespace IceFire.Grains.Tests.Storage;

public sealed class LmdbRaftStorageTests : IDisposable
{
    private static readonly ConfState Voters = new([1, 2, 3], []);
    private readonly TempDirectory _dir = new("icefire-raftlog");
    private LmdbEnvironment _env;

    public LmdbRaftStorageTests()
    {
        _env = LmdbEnvironment.Open(_dir.Path);
    }

    public void Dispose()
    {
        _env.Dispose();
        _dir.Dispose();
    }

    private void Reopen()
    {
        _env.Dispose();
        _env = LmdbEnvironment.Open(_dir.Path);
    }

    private static Entry E(ulong index, ulong term, string data = "x") => new(index, term, EntryType.Normal, System.Text.Encoding.ASCII.GetBytes(data));

    [Fact]
    public void NewGroupStartsFromItsBootstrapMembership()
    {
        using var store = LmdbRaftStorage.Open(_env, 7, Voters);
        var state = store.Load();
        Assert.Equal(0UL, state.Snapshot.Metadata.Index);
        Assert.Equal(Voters, state.Snapshot.Metadata.Config);
        Assert.Empty(state.Entries);
        Assert.Equal(default, state.HardState);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void WithoutAFullSyncOnCommitOnlyWhatRaftNeedsIsSyncedAtOnce(bool syncOnCommit, bool deferMetaSync)
    {
        _env.Dispose();
        _env = LmdbEnvironment.Open(_dir.Path, new LmdbEnvironmentOptions { SyncOnCommit = syncOnCommit, DeferMetaSync = deferMetaSync });
        var alone = true;
        using var store = LmdbRaftStorage.Open(_env, 7, Voters, syncEntries: () => !alone);
        store.Load();
        store.Save(new HardState(1, 1, 0), [], null, sync: true);
        Assert.Equal(1, store.Syncs);
        // Entries nobody else counts, and a commit index that moved: left to the owner's periodic flush.
        store.Save(new HardState(1, 1, 1), [E(1, 1)], null, sync: true);
        store.Save(new HardState(1, 1, 1), [], null, sync: false);
        Assert.Equal(1, store.Syncs);
        // A new term (or vote) is synced before the message that depends on it goes out, entries or not.
        store.Save(new HardState(2, 1, 1), [E(2, 2)], null, sync: true);
        Assert.Equal(2, store.Syncs);
        // Entries a peer may count toward a commit are synced before the acknowledgement goes out.
        alone = false;
        store.Save(null, [E(3, 2)], null, sync: true);
        Assert.Equal(3, store.Syncs);
    }

    [Fact]
    public void WithSyncOnCommitTheEnvironmentSyncsEveryBatchItself()
    {
        using var store = LmdbRaftStorage.Open(_env, 7, Voters, syncEntries: () => false);
        store.Load();
        store.Save(new HardState(1, 1, 0), [E(1, 1)], null, sync: true);
        store.Save(new HardState(2, 1, 1), [E(2, 2)], null, sync: true);
        Assert.Equal(0, store.Syncs);
    }

    [Fact]
    public void AppendingEntriesAllocatesNoCopyOfThem()
    {
        using var store = LmdbRaftStorage.Open(_env, 7, Voters);
        store.Load();
        var data = new string('x', 1024);
        var entries = Enumerable.Range(1, 200).Select(i => E((ulong)i, 1, data)).ToArray();
        store.Save(new HardState(1, 1, 0), entries[..100], null, sync: true);
        var before = GC.GetAllocatedBytesForCurrentThread();
        store.Save(null, entries[100..], null, sync: true);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // A copy of each entry would be 100 KiB; what is left is the transaction's own bookkeeping.
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated to append 100 entries of 1 KiB");
        Reopen();
        using var again = LmdbRaftStorage.Open(_env, 7, Voters);
        Assert.Equal(200, again.Load().Entries.Count);
    }

    [Fact]
    public void SavedBatchesSurviveReopen()
    {
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            store.Save(new HardState(2, 1, 2), [E(1, 1), E(2, 2, "two")], null, sync: true);
        }
        Reopen();
        using var again = LmdbRaftStorage.Open(_env, 7, Voters);
        var state = again.Load();
        Assert.Equal(new HardState(2, 1, 2), state.HardState);
        Assert.Equal([1UL, 2UL], state.Entries.Select(e => e.Index));
        Assert.Equal("two", System.Text.Encoding.ASCII.GetString(state.Entries[1].Data));
        Assert.Equal(2UL, state.Entries[1].Term);
    }

    [Fact]
    public void AConflictingEntryReplacesTheSuffix()
    {
        using var store = LmdbRaftStorage.Open(_env, 7, Voters);
        store.Save(null, [E(1, 1), E(2, 1), E(3, 1), E(4, 1)], null, sync: true);
        store.Save(null, [E(3, 2, "new")], null, sync: true);
        var entries = store.Load().Entries;
        Assert.Equal([1UL, 2UL, 3UL], entries.Select(e => e.Index));
        Assert.Equal(2UL, entries[2].Term);
    }

    [Fact]
    public void CompactionAndInstalledSnapshotsReplaceTheLogPrefix()
    {
        using var store = LmdbRaftStorage.Open(_env, 7, Voters);
        store.Save(null, [E(1, 1), E(2, 1), E(3, 1)], null, sync: true);
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        store.Compact(new SnapshotMetadata(2, 1, Voters), path => File.WriteAllBytes(path, data));
        var state = store.Load();
        Assert.Equal(2UL, state.Snapshot.Metadata.Index);
        Assert.Equal([3UL], state.Entries.Select(e => e.Index));
        Assert.Equal(data.AsSpan(100, 50).ToArray(), store.ReadSnapshotChunk(2, 100, 50));
        Assert.Equal(data.AsSpan(990, 10).ToArray(), store.ReadSnapshotChunk(2, 990, 10));

        var meta = new SnapshotMetadata(10, 3, Voters);
        store.WriteSnapshotChunk(meta, 0, [1, 2]);
        store.WriteSnapshotChunk(meta, 2, [3]);
        store.Save(null, [], new Snapshot(meta, 3), sync: true);
        state = store.Load();
        Assert.Equal(10UL, state.Snapshot.Metadata.Index);
        Assert.Empty(state.Entries);
        store.Save(null, [E(11, 3)], null, sync: true);
        Assert.Equal([11UL], store.Load().Entries.Select(e => e.Index));
    }

    [Fact]
    public void GroupsSharingAnEnvironmentDoNotSeeEachOther()
    {
        using var a = LmdbRaftStorage.Open(_env, 1, Voters);
        using var b = LmdbRaftStorage.Open(_env, 2, Voters);
        a.Save(new HardState(5, 1, 0), [E(1, 5, "a")], null, sync: true);
        b.Save(new HardState(9, 2, 0), [E(1, 9, "b"), E(2, 9, "b")], null, sync: true);
        Assert.Single(a.Load().Entries);
        Assert.Equal(2, b.Load().Entries.Count);
        Assert.Equal(5UL, a.Load().HardState.Term);
    }

    private string SnapshotDirectory(ulong group) => Path.Combine(_dir.Path, "snapshots", group.ToString("x16"));

    [Fact]
    public void CompactedAndInstalledImagesSurviveReopenAndOnlyTheLatestIsKept()
    {
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            store.Load();
            store.Save(new HardState(1, 1, 3), [E(1, 1), E(2, 1), E(3, 1)], null, sync: true);
            var snap = store.Compact(new SnapshotMetadata(2, 1, Voters), path => File.WriteAllBytes(path, [4, 5, 6]));
            Assert.Equal(3L, snap.Length);
        }
        Reopen();
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            var state = store.Load();
            Assert.Equal(new SnapshotMetadata(2, 1, Voters), state.Snapshot.Metadata);
            Assert.Equal([3UL], state.Entries.Select(e => e.Index));
            Assert.Equal([4, 5, 6], File.ReadAllBytes(store.SnapshotPath(2)!));
            var meta = new SnapshotMetadata(9, 2, Voters);
            store.WriteSnapshotChunk(meta, 0, [7]);
            store.WriteSnapshotChunk(meta, 1, [8, 9]);
            store.Save(new HardState(2, 1, 9), [], new Snapshot(meta, 3), sync: true);
        }
        Reopen();
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            var state = store.Load();
            Assert.Equal(9UL, state.Snapshot.Metadata.Index);
            Assert.Empty(state.Entries);
            Assert.Equal([7, 8, 9], File.ReadAllBytes(store.SnapshotPath(9)!));
            Assert.Equal([8, 9], store.ReadSnapshotChunk(9, 1, 2));
            Assert.Throws<ArgumentOutOfRangeException>(() => store.SnapshotPath(2));
        }
        Assert.Equal([$"snap-{9:x16}.img"], Directory.GetFiles(SnapshotDirectory(7)).Select(Path.GetFileName));
    }

    [Fact]
    public void ATornPartialImageIsDiscardedAndNeverInstalled()
    {
        var meta = new SnapshotMetadata(9, 2, Voters);
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            store.Load();
            store.Save(null, [E(1, 1)], null, sync: true);
            // The process dies in the middle of a transfer.
            store.WriteSnapshotChunk(meta, 0, [1, 2, 3]);
        }
        Assert.Single(Directory.GetFiles(SnapshotDirectory(7), "*.partial"));
        Reopen();
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            var state = store.Load();
            Assert.Equal(0UL, state.Snapshot.Metadata.Index);
            Assert.Equal([1UL], state.Entries.Select(e => e.Index));
            Assert.Empty(Directory.GetFiles(SnapshotDirectory(7)));
            Assert.Throws<InvalidOperationException>(() => store.WriteSnapshotChunk(meta, 3, [4]));
            Assert.Throws<InvalidOperationException>(() => store.Save(null, [], new Snapshot(meta, 4), sync: true));
            Assert.Equal([1UL], store.Load().Entries.Select(e => e.Index));
        }
    }

    [Fact]
    public void ACorruptOrMissingImageIsDetectedAtLoad()
    {
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            store.Load();
            store.Save(null, [E(1, 1), E(2, 1)], null, sync: true);
            store.Compact(new SnapshotMetadata(2, 1, Voters), path => File.WriteAllBytes(path, [1, 2, 3, 4]));
        }
        var image = Directory.GetFiles(SnapshotDirectory(7), "*.img").Single();
        File.WriteAllBytes(image, [1, 2, 7, 4]);
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            Assert.Contains("checksum", Assert.Throws<RaftCorruptionException>(() => store.Load()).Message);
        }
        File.Delete(image);
        using (var store = LmdbRaftStorage.Open(_env, 7, Voters))
        {
            Assert.Contains("missing", Assert.Throws<RaftCorruptionException>(() => store.Load()).Message);
        }
    }

    [Fact]
    public void LoadReportsTheAppliedIndexTheStateMachineKeeps()
    {
        using var store = LmdbRaftStorage.Open(_env, 7, Voters, appliedIndex: () => 2);
        store.Save(new HardState(1, 1, 3), [E(1, 1), E(2, 1), E(3, 1)], null, sync: true);
        Assert.Equal(2UL, store.Load().Applied);
        using var plain = LmdbRaftStorage.Open(_env, 7, Voters);
        Assert.Equal(0UL, plain.Load().Applied);
    }
}
