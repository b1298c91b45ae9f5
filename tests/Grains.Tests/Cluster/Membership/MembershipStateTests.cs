using Google.Protobuf;
using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Tests.Support;
using IceFire.Raft;
using Xunit;

namespace IceFire.Grains.Tests.Cluster.Membership;

/// <summary>The membership table in the system state machine: snapshots carry it, and its wire numbers are fixed.</summary>
public sealed class MembershipStateTests
{
    private static SystemCommandProto Insert(string clusterId, string silo, string tableEtag) => new()
    {
        InsertMembershipRow = new MembershipRowWriteProto
        {
            ClusterId = clusterId,
            WriteId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
            Entry = new MembershipEntryProto { SiloAddress = silo, Status = 2 },
            TableVersion = 1,
            TableEtag = tableEtag,
        },
    };

    [Fact]
    public void A_snapshot_carries_the_tables_and_the_remembered_writes()
    {
        var machine = new SystemStateMachine(1);
        var insert = Insert("c", "S127.0.0.1:11111:1", SystemStateMachine.EmptyTableEtag);
        machine.Apply(new Entry(5, 1, EntryType.Normal, machine.Encode(1, insert)));
        Assert.True(machine.TryTakeOutcome(1, out var outcome));
        Assert.Equal(MembershipOutcome.Applied, outcome);

        using var temp = new TempDirectory();
        var image = temp.Sub("image");
        machine.TakeSnapshot(new SnapshotMetadata(5, 1, new ConfState([1], [])), image);
        var restored = new SystemStateMachine(1);
        restored.Restore(new Snapshot(new SnapshotMetadata(5, 1, new ConfState([1], [])), 0), image);

        var table = Assert.Single(restored.State.Proto.MembershipTables);
        Assert.Equal("5", table.VersionEtag);
        Assert.Equal(1, table.Version);
        Assert.Equal("5", Assert.Single(table.Rows).Etag);
        // The restored replica still knows the write: a retry arriving after the snapshot is not applied again.
        restored.Apply(new Entry(6, 1, EntryType.Normal, restored.Encode(2, insert)));
        Assert.True(restored.TryTakeOutcome(2, out outcome));
        Assert.Equal(MembershipOutcome.Applied, outcome);
        Assert.Equal("5", Assert.Single(restored.State.Proto.MembershipTables).VersionEtag);
    }

    [Fact]
    public void Remembered_write_ids_are_bounded_oldest_first()
    {
        var machine = new SystemStateMachine(1);
        var etag = SystemStateMachine.EmptyTableEtag;
        for (ulong i = 1; i <= SystemStateMachine.MembershipWritesKept + 3; i++)
        {
            machine.Apply(new Entry(i, 1, EntryType.Normal, machine.Encode(i, Insert("c", $"S127.0.0.1:1:{i}", etag))));
            etag = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal(SystemStateMachine.MembershipWritesKept, machine.State.Proto.MembershipWrites.Count);
        Assert.Equal(SystemStateMachine.MembershipWritesKept + 3, Assert.Single(machine.State.Proto.MembershipTables).Rows.Count);
    }

    [Fact]
    public void Membership_wire_numbers_are_fixed()
    {
        static string Fields(Google.Protobuf.Reflection.MessageDescriptor d) =>
            string.Join(",", d.Fields.InFieldNumberOrder().Select(f => $"{f.FieldNumber}:{f.Name}"));
        Assert.Equal(
            "1:origin,2:sequence,10:genesis,11:add_member,12:create_tenant,13:drop_tenant,14:member_down,15:set_tenant_settings," +
            "16:insert_membership_row,17:update_membership_row,18:update_i_am_alive,19:delete_membership_table,20:cleanup_defunct_silos",
            Fields(SystemCommandProto.Descriptor));
        Assert.Equal("1:cluster_id,2:settings,3:members,4:tenants,5:next_group_id,6:created_unix_ms,7:membership_tables,8:membership_writes", Fields(ClusterStateProto.Descriptor));
        Assert.Equal(
            "1:silo_address,2:status,3:suspect_times,4:has_suspect_times,5:proxy_port,6:host_name,7:silo_name,8:role_name,9:has_role_name," +
            "10:update_zone,11:fault_zone,12:start_time_ticks,13:i_am_alive_ticks,14:node_id",
            Fields(MembershipEntryProto.Descriptor));
        Assert.Equal("1:silo_address,2:time_ticks", Fields(MembershipSuspectProto.Descriptor));
        Assert.Equal("1:entry,2:etag", Fields(MembershipRowProto.Descriptor));
        Assert.Equal("1:cluster_id,2:version,3:version_etag,4:rows", Fields(MembershipTableProto.Descriptor));
        Assert.Equal("1:cluster_id,2:write_id,3:entry,4:row_etag,5:table_version,6:table_etag", Fields(MembershipRowWriteProto.Descriptor));
        Assert.Equal("1:cluster_id,2:silo_address,3:i_am_alive_ticks", Fields(MembershipIAmAliveProto.Descriptor));
        Assert.Equal("1:cluster_id,2:before_ticks", Fields(MembershipCleanupProto.Descriptor));
        Assert.Equal("1:write_id,2:outcome", Fields(MembershipWriteOutcomeProto.Descriptor));
        Assert.Equal("1:write,2:read_cluster_id", Fields(MembershipRequestProto.Descriptor));
        Assert.Equal("1:status,2:message,3:leader,4:table", Fields(MembershipResponseProto.Descriptor));
        Assert.Equal("1:join,2:membership", Fields(SystemRequestProto.Descriptor));
        Assert.Equal("1:join,2:membership", Fields(SystemResponseProto.Descriptor));
        Assert.Equal("IFS2"u8.ToArray(), SystemRequests.Magic.ToArray());
        Assert.Equal([0, 1], [MembershipOutcome.Conflict, MembershipOutcome.Applied]);
    }
}
