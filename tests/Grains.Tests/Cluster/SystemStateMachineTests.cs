using IceFire.Grains.Cluster;
using IceFire.Grains.Cluster.Wire;
using IceFire.Grains.Hosting;
using IceFire.Raft;
using Xunit;

namespace IceFire.Grains.Tests.Cluster;

public sealed class SystemStateMachineTests
{
    private static ulong _index;

    private static Entry Entry(SystemStateMachine machine, ulong sequence, SystemCommandProto command) =>
        new(Interlocked.Increment(ref _index), 1, EntryType.Normal, machine.Encode(sequence, command));

    private static MemberProto Member(ulong id) => new() { Id = id, ClusterAddress = $"127.0.0.1:{17000 + id}", RespAddress = $"127.0.0.1:{7000 + id}" };

    private static SystemStateMachine Born(int replicationFactor = 3)
    {
        var machine = new SystemStateMachine(1);
        machine.Apply(Entry(machine, 1, new SystemCommandProto
        {
            Genesis = new GenesisProto
            {
                ClusterId = "c1",
                Settings = new ClusterSettingsProto { ReplicationFactor = (uint)replicationFactor, SystemVoters = 5 },
                First = Member(1),
                CreatedUnixMs = 1,
            },
        }));
        return machine;
    }

    [Fact]
    public void Genesis_creates_the_default_tenant_on_the_first_silo()
    {
        var machine = Born();
        var state = machine.State;
        Assert.True(state.IsBorn);
        Assert.Equal("c1", state.ClusterId);
        var tenant = Assert.Single(state.Tenants.Values);
        Assert.Equal("default", tenant.Name);
        Assert.Equal(ClusterState.FirstTenantGroup, tenant.GroupId);
        Assert.Equal([1UL], tenant.Replicas);
        Assert.Equal([1UL], tenant.InitialReplicas);
    }

    [Fact]
    public void Joining_silos_fill_small_tenants_up_to_the_replication_factor()
    {
        var machine = Born();
        machine.Apply(Entry(machine, 2, new SystemCommandProto { AddMember = Member(2) }));
        machine.Apply(Entry(machine, 3, new SystemCommandProto { AddMember = Member(3) }));
        machine.Apply(Entry(machine, 4, new SystemCommandProto { AddMember = Member(4) }));
        var tenant = machine.State.Tenants["default"];
        Assert.Equal([1UL], tenant.InitialReplicas);
        Assert.Equal(3, tenant.Replicas.Count);
        Assert.Equal(1UL, tenant.Replicas[0]);
        Assert.Equal(4, machine.State.Members.Count);
    }

    [Fact]
    public void A_silo_that_rejoins_keeps_its_place_and_takes_its_new_addresses()
    {
        var machine = Born();
        var moved = Member(1);
        moved.RespAddress = "10.0.0.9:6379";
        machine.Apply(Entry(machine, 2, new SystemCommandProto { AddMember = moved }));
        var member = Assert.Single(machine.State.Members);
        Assert.Equal("10.0.0.9:6379", member.RespAddress);
    }

    [Fact]
    public void Tenant_changes_report_their_outcome_to_the_proposer_only()
    {
        var machine = Born();
        var create = new SystemCommandProto { CreateTenant = new CreateTenantProto { Name = "shop", CreatedUnixMs = 5 } };
        var entry = Entry(machine, 7, create);
        machine.Apply(entry);
        Assert.True(machine.TryTakeOutcome(7, out var outcome));
        Assert.Equal((int)TenantChangeStatus.Done, outcome);
        Assert.False(machine.TryTakeOutcome(7, out _));
        machine.Apply(Entry(machine, 8, create));
        Assert.True(machine.TryTakeOutcome(8, out outcome));
        Assert.Equal((int)TenantChangeStatus.Exists, outcome);
        machine.Apply(Entry(machine, 9, new SystemCommandProto { DropTenant = "default" }));
        Assert.True(machine.TryTakeOutcome(9, out outcome));
        Assert.Equal((int)TenantChangeStatus.Protected, outcome);
        machine.Apply(Entry(machine, 10, new SystemCommandProto { DropTenant = "shop" }));
        Assert.True(machine.TryTakeOutcome(10, out outcome));
        Assert.Equal((int)TenantChangeStatus.Done, outcome);
        Assert.False(machine.State.Tenants.ContainsKey("shop"));
    }

    [Fact]
    public void Changes_before_genesis_are_refused_and_a_second_genesis_changes_nothing()
    {
        var machine = new SystemStateMachine(1);
        machine.Apply(Entry(machine, 1, new SystemCommandProto { AddMember = Member(2) }));
        Assert.True(machine.TryTakeOutcome(1, out var outcome));
        Assert.Equal(SystemStateMachine.NotReady, outcome);
        Assert.False(machine.State.IsBorn);
        var born = Born();
        born.Apply(Entry(born, 2, new SystemCommandProto { Genesis = new GenesisProto { ClusterId = "c2", Settings = new ClusterSettingsProto { ReplicationFactor = 1 }, First = Member(9) } }));
        Assert.Equal("c1", born.State.ClusterId);
    }

    [Fact]
    public void Snapshot_round_trip_keeps_the_state()
    {
        var machine = Born();
        machine.Apply(Entry(machine, 2, new SystemCommandProto { AddMember = Member(2) }));
        var copy = new SystemStateMachine(2);
        var meta = new SnapshotMetadata(machine.State.AppliedIndex, 1, ConfState.Empty);
        var image = Path.Combine(Path.GetTempPath(), "icefire-system-" + Guid.NewGuid().ToString("N"));
        try
        {
            machine.TakeSnapshot(meta, image);
            copy.Restore(new Snapshot(meta, new FileInfo(image).Length), image);
        }
        finally
        {
            File.Delete(image);
        }

        Assert.Equal(machine.State.ClusterId, copy.State.ClusterId);
        Assert.Equal(machine.State.Members, copy.State.Members);
        Assert.Equal(machine.State.Tenants["default"].Replicas, copy.State.Tenants["default"].Replicas);
    }

    [Fact]
    public void A_silo_declared_down_hands_its_replicas_to_live_silos_and_takes_none_until_it_rejoins()
    {
        var machine = Born();
        for (ulong id = 2; id <= 5; id++)
        {
            machine.Apply(Entry(machine, id, new SystemCommandProto { AddMember = Member(id) }));
        }
        machine.Apply(Entry(machine, 6, new SystemCommandProto { CreateTenant = new CreateTenantProto { Name = "shop" } }));
        var before = machine.State.Tenants["shop"].Replicas.ToList();
        var gone = before[1];
        machine.Apply(Entry(machine, 7, new SystemCommandProto { MemberDown = new MemberDownProto { Id = gone, SinceUnixMs = 10 } }));

        var after = machine.State.Tenants["shop"].Replicas;
        Assert.Equal(3, after.Count);
        Assert.DoesNotContain(gone, after);
        // Only the down silo's slot changes, and it goes to the best-ranked live silo not already there.
        Assert.Equal(before[0], after[0]);
        Assert.Equal(before[2], after[2]);
        var live = machine.State.Members.Where(m => !m.Down).Select(m => m.Id);
        Assert.Equal(Placement.Rank("shop", live).First(id => !before.Contains(id)), after[1]);
        Assert.True(machine.State.Member(gone)!.Down);
        Assert.DoesNotContain(machine.State.Tenants.Values, t => t.Replicas.Contains(gone));

        // New tenants avoid it while it is down; when it joins again it is up, and the moved replicas stay moved.
        machine.Apply(Entry(machine, 8, new SystemCommandProto { CreateTenant = new CreateTenantProto { Name = "blog" } }));
        Assert.DoesNotContain(gone, machine.State.Tenants["blog"].Replicas);
        machine.Apply(Entry(machine, 9, new SystemCommandProto { AddMember = Member(gone) }));
        Assert.False(machine.State.Member(gone)!.Down);
        Assert.Equal(after, machine.State.Tenants["shop"].Replicas);
    }

    [Fact]
    public void A_tenant_with_no_live_silo_to_spare_keeps_its_down_replica()
    {
        var machine = Born();
        machine.Apply(Entry(machine, 2, new SystemCommandProto { AddMember = Member(2) }));
        machine.Apply(Entry(machine, 3, new SystemCommandProto { AddMember = Member(3) }));
        machine.Apply(Entry(machine, 4, new SystemCommandProto { MemberDown = new MemberDownProto { Id = 3 } }));
        Assert.Contains(3UL, machine.State.Tenants["default"].Replicas);
        Assert.True(machine.State.Member(3)!.Down);
    }

    [Fact]
    public void Placement_is_stable_and_moves_little_when_a_silo_joins()
    {
        var tenants = Enumerable.Range(0, 1000).Select(i => $"t{i}").ToList();
        var before = tenants.ToDictionary(t => t, t => Placement.Choose(t, [1UL, 2, 3, 4], 3));
        var after = tenants.ToDictionary(t => t, t => Placement.Choose(t, [1UL, 2, 3, 4, 5], 3));
        Assert.Equal(before["t1"], Placement.Choose("t1", [4UL, 3, 2, 1], 3));
        var moved = tenants.Sum(t => after[t].Except(before[t]).Count());
        // A fifth silo should take about 3/5 of one replica per tenant: 600 of 3000 replica slots.
        Assert.InRange(moved, 450, 750);
        var load = after.Values.SelectMany(r => r).GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(load.Values, count => Assert.InRange(count, 500, 700));
    }
}
