using Google.Protobuf;
using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Membership;
using IceFire.Grains.Cluster.Wire;
using Orleans;
using Orleans.Runtime;
using IceFire.Grains.Tests.Support.Silos;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Membership;

/// <summary>
/// The <see cref="IMembershipTable"/> contract (as Orleans' own membership table tests exercise it) against a real
/// system group: one in-process silo (a cluster of one). Each test has its own Orleans cluster id, so its own table, apart
/// from the one the silo itself runs on.
/// </summary>
public sealed class MembershipTableContractTests(OneSilo cluster) : IClassFixture<OneSilo>
{
    private readonly SystemGroupMembershipTable _table = new(cluster.Node, "test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task An_empty_table_reads_as_version_zero_with_an_etag()
    {
        await _table.InitializeMembershipTable(true);
        var data = await _table.ReadAll();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.NotNull(data.Version.VersionEtag);
        Assert.Empty((await _table.ReadRow(MembershipEntries.NewSilo())).Members);
    }

    [Fact]
    public async Task InsertRow_needs_the_current_table_etag_and_a_new_silo()
    {
        var version = (await _table.ReadAll()).Version.Next();
        var entry = MembershipEntries.New();
        Assert.True(await _table.InsertRow(entry, version));
        Assert.False(await _table.InsertRow(entry, version));                        // same row, stale table etag
        Assert.False(await _table.InsertRow(MembershipEntries.New(), version));      // new row, stale table etag
        var data = await _table.ReadAll();
        Assert.Equal(1, data.Version.Version);
        Assert.NotEqual(version.VersionEtag, data.Version.VersionEtag);
        Assert.False(await _table.InsertRow(entry, data.Version.Next()));            // current etag, but the row exists
        data = await _table.ReadRow(entry.SiloAddress);
        var (read, etag) = Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(entry.ToFullString(), read.ToFullString());
        Assert.Single((await _table.ReadAll()).Members);
    }

    [Fact]
    public async Task UpdateRow_needs_both_the_row_etag_and_the_table_etag()
    {
        var data = await _table.ReadAll();
        for (var i = 1; i <= 4; i++)
        {
            var entry = MembershipEntries.New();
            entry.SuspectTimes = [Tuple.Create(MembershipEntries.NewSilo(), MembershipEntries.NowToTheSecond().AddSeconds(1)), Tuple.Create(MembershipEntries.NewSilo(), MembershipEntries.NowToTheSecond().AddSeconds(2))];
            var inserted = data.Version.Next();
            Assert.True(await _table.InsertRow(entry, inserted));
            data = await _table.ReadAll();
            var etagBefore = data.TryGet(entry.SiloAddress)!.Item2;

            Assert.False(await _table.UpdateRow(entry, etagBefore, inserted));        // right row etag, stale table etag
            entry.Status = SiloStatus.Active;
            var next = data.Version.Next();
            Assert.True(await _table.UpdateRow(entry, etagBefore, next));
            Assert.False(await _table.UpdateRow(entry, etagBefore, next));            // both etags now stale

            data = await _table.ReadAll();
            var (read, etagAfter) = data.TryGet(entry.SiloAddress)!;
            Assert.NotEqual(etagBefore, etagAfter);
            Assert.Equal(entry.ToFullString(), read.ToFullString());
            Assert.False(await _table.UpdateRow(entry, etagAfter, next));             // current row etag, stale table etag
            Assert.False(await _table.UpdateRow(entry, etagBefore, data.Version.Next())); // stale row etag, current table etag

            data = await _table.ReadAll();
            Assert.Equal(etagAfter, data.TryGet(entry.SiloAddress)!.Item2);
            Assert.Equal(next.Version, data.Version.Version);
            Assert.Equal(i, data.Members.Count);
        }
        Assert.False(await _table.UpdateRow(MembershipEntries.New(), "1", data.Version.Next())); // no such row
    }

    [Fact]
    public async Task Concurrent_inserts_of_one_version_let_exactly_one_win_and_racing_updates_all_land_by_retrying()
    {
        var version = (await _table.ReadAll()).Version.Next();
        var entry = MembershipEntries.New();
        var inserts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _table.InsertRow(entry, version)));
        Assert.Single(inserts, ok => ok);

        // Ten writers each update the row once, re-reading and retrying when they lose a race, as Orleans does.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var data = await _table.ReadAll();
                var (row, etag) = data.TryGet(entry.SiloAddress)!;
                if (await _table.UpdateRow(row, etag, data.Version.Next()))
                {
                    return;
                }
            }
            Assert.Fail("an update lost its race 200 times in a row");
        }));
        var after = await _table.ReadAll();
        Assert.Equal(11, after.Version.Version);
        Assert.Single(after.Members);
    }

    [Fact]
    public async Task UpdateIAmAlive_is_a_dirty_write_that_keeps_every_etag()
    {
        var entry = MembershipEntries.New();
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        var before = await _table.ReadAll();
        var alive = DateTime.UtcNow.AddSeconds(5);
        await _table.UpdateIAmAlive(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive });
        var after = await _table.ReadAll();
        var (row, etag) = after.TryGet(entry.SiloAddress)!;
        Assert.Equal(alive, row.IAmAliveTime);
        Assert.Equal(entry.Status, row.Status);
        Assert.Equal(entry.StartTime, row.StartTime);
        Assert.Equal(before.TryGet(entry.SiloAddress)!.Item2, etag);
        Assert.Equal(before.Version, after.Version);
        // The etags it kept still let the next update through.
        Assert.True(await _table.UpdateRow(row, etag, after.Version.Next()));
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_removes_old_rows_of_every_status_but_Active()
    {
        var old = TimeSpan.FromDays(10);
        var fresh = MembershipEntries.New();
        var recentlySuspected = MembershipEntries.New(SiloStatus.Dead, old);
        recentlySuspected.SuspectTimes = [Tuple.Create(MembershipEntries.NewSilo(), DateTime.UtcNow)];
        var entries = new List<MembershipEntry> { fresh, recentlySuspected };
        foreach (var status in Enum.GetValues<SiloStatus>())
        {
            entries.Add(MembershipEntries.New(status, old));
        }
        foreach (var entry in entries)
        {
            Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
        }
        Assert.Equal(entries.Count, (await _table.ReadAll()).Members.Count);

        await _table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow - TimeSpan.FromDays(7));

        var left = (await _table.ReadAll()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        var oldActive = entries.Single(e => e.Status == SiloStatus.Active && e != fresh);
        Assert.Equal(new HashSet<SiloAddress> { fresh.SiloAddress, recentlySuspected.SiloAddress, oldActive.SiloAddress }, left);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_empties_only_its_own_cluster()
    {
        var other = new SystemGroupMembershipTable(cluster.Node, "other-" + Guid.NewGuid().ToString("N"));
        var clusterId = "gone-" + Guid.NewGuid().ToString("N");
        var doomed = new SystemGroupMembershipTable(cluster.Node, clusterId);
        Assert.True(await doomed.InsertRow(MembershipEntries.New(), (await doomed.ReadAll()).Version.Next()));
        Assert.True(await other.InsertRow(MembershipEntries.New(), (await other.ReadAll()).Version.Next()));

        await doomed.DeleteMembershipTableEntries(clusterId);

        var data = await doomed.ReadAll();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.Single((await other.ReadAll()).Members);
    }

    [Fact]
    public async Task A_retried_write_is_answered_with_its_first_outcome_and_not_applied_again()
    {
        var clusterId = "retry-" + Guid.NewGuid().ToString("N");
        var table = new SystemGroupMembershipTable(cluster.Node, clusterId);
        var insert = new SystemCommandProto
        {
            InsertMembershipRow = new MembershipRowWriteProto
            {
                ClusterId = clusterId,
                WriteId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                Entry = MembershipEntryCodec.ToProto(MembershipEntries.New()),
                TableVersion = 1,
                TableEtag = SystemStateMachine.EmptyTableEtag,
            },
        };
        Assert.Equal(MembershipOutcome.Applied, await cluster.Node.WriteMembershipAsync(insert, CancellationToken.None));
        var once = await table.ReadAll();
        // The same write again (its etags are stale now): answered Applied, and the table is as the first left it.
        Assert.Equal(MembershipOutcome.Applied, await cluster.Node.WriteMembershipAsync(insert, CancellationToken.None));
        var twice = await table.ReadAll();
        Assert.Equal(once.Version, twice.Version);
        Assert.Single(twice.Members);
    }
}
