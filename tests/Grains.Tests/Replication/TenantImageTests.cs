using IceFire.Grains.Tenants;
using IceFire.Grains.Tenants.Replication;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using Xunit;

namespace IceFire.Grains.Tests.Replication;

/// <summary>A tenant replica's snapshot image: a copy of its environment, restored over another replica's keyspace.</summary>
public sealed class TenantImageTests : IDisposable
{
    private const ulong Group = 7;
    private static readonly ConfState Voters = new([1, 2, 3], []);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private ReplicatedTenant Open(string name) => ReplicatedTenant.Open("t", _temp.Sub(name), new TenantOptions(), nodeId: 1);

    /// <summary>Applies committed entries as a follower would: each runs <paramref name="commands"/> from another node.</summary>
    private static void Apply(ReplicatedTenant tenant, ulong index, params string[][] commands) => ApplyIn(tenant, index, 0, commands);

    private static void ApplyIn(ReplicatedTenant tenant, ulong index, int db, params string[][] commands)
    {
        var data = TenantEntryCodec.Encode(new TenantEntryHeader(1_700_000_000_000, 99, index), [TenantCluster.BatchIn(db, commands)]);
        tenant.ApplyBatch([new Entry(index, 1, EntryType.Normal, data)]);
    }

    private static string Read(ReplicatedTenant tenant) =>
        TenantCluster.Contents(tenant, ["GET", "a"], ["GET", "b"], ["GET", "only-in-target"], ["HGETALL", "h"]);

    [Fact]
    public void RestoreReplacesTheWholeKeyspaceKeepsTheLogAndSurvivesReopen()
    {
        var image = _temp.Sub("image.mdb");
        string expected;
        using (var source = Open("source"))
        {
            Apply(source, 1, ["SET", "a", "1"], ["HSET", "h", "f", "v"]);
            Apply(source, 2, ["SET", "b", "2"], ["SADD", "set", "x", "y"]);
            ApplyIn(source, 3, 3, ["SET", "in-db-3", "x"]);
            source.TakeSnapshot(new SnapshotMetadata(3, 1, Voters), image);
            Assert.Throws<RaftInvariantException>(() => source.TakeSnapshot(new SnapshotMetadata(1, 1, Voters), image + "2"));
            expected = Read(source);
        }

        using (var target = Open("target"))
        {
            Apply(target, 1, ["SET", "only-in-target", "gone"], ["SET", "a", "old"]);
            ApplyIn(target, 2, 3, ["SET", "also-gone", "x"]);
            using (var log = target.OpenLog(Group, Voters))
            {
                log.Load();
                log.Save(new HardState(1, 1, 1), [new Entry(1, 1, EntryType.Normal, [])], null, sync: true);
            }
            target.Restore(new Snapshot(new SnapshotMetadata(5, 2, Voters), new FileInfo(image).Length), image);
            Assert.Equal(5UL, target.AppliedIndex);
            Assert.Equal(expected, Read(target));
            Assert.DoesNotContain("gone", Read(target));
            // The log in the replica's environment is its own, not the image's.
            using var again = target.OpenLog(Group, Voters);
            Assert.Equal([1UL], again.Load().Entries.Select(e => e.Index));
        }

        using (var reopened = Open("target"))
        {
            Assert.Equal(5UL, reopened.AppliedIndex);
            Assert.Equal(expected, Read(reopened));
            var db3 = TenantCluster.BatchIn(3, ["GET", "in-db-3"], ["GET", "also-gone"]);
            reopened.ExecuteLocalReads(db3);
            Assert.Equal("$1\r\nx\r\n$-1\r\n", ((RecordingReplyWriter)db3.Replies).Text);
            // Entries the image covers are not applied again; later ones are.
            Apply(reopened, 5, ["SET", "a", "again"]);
            Apply(reopened, 6, ["INCR", "n"]);
            Assert.Contains("$1\r\n1\r\n", Read(reopened));
            Assert.DoesNotContain("again", Read(reopened));
        }
    }

    [Fact]
    public void AnImageThatIsNotAnEnvironmentIsRefusedAndChangesNothing()
    {
        var image = _temp.Sub("garbage.mdb");
        File.WriteAllBytes(image, Enumerable.Range(0, 8192).Select(i => (byte)(i * 31)).ToArray());
        using var target = Open("target");
        Apply(target, 1, ["SET", "a", "1"]);
        var before = Read(target);
        Assert.Throws<RaftCorruptionException>(() => target.Restore(new Snapshot(new SnapshotMetadata(3, 1, Voters), 8192), image));
        Assert.Equal(before, Read(target));
        Assert.Equal(1UL, target.AppliedIndex);
    }
}
