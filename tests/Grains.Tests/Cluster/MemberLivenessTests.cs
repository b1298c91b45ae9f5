using IceFire.Grains.Cluster;
using Xunit;

namespace IceFire.Grains.Tests.Cluster;

/// <summary>How long each member has had no active silo, as the system group's leader counts it before declaring it down.</summary>
public sealed class MemberLivenessTests
{
    private static readonly ClusterMemberInfo[] Three = [Member(1), Member(2), Member(3)];

    [Fact]
    public void Before_the_first_view_no_member_counts_as_gone_and_only_this_node_answers()
    {
        var liveness = new MemberLiveness(self: 1);
        Assert.Empty(liveness.Inactive(Three, leading: true, now: 1_000));
        Assert.True(liveness.IsActive(1));
        Assert.False(liveness.IsActive(2));
    }

    [Fact]
    public void A_member_that_leaves_the_view_is_reported_once_and_silent_from_then_or_from_when_this_node_began_to_lead()
    {
        var liveness = new MemberLiveness(self: 1);
        Assert.Empty(liveness.Observe(new HashSet<ulong> { 1, 2, 3 }, Three, now: 0));
        Assert.Equal([3UL], liveness.Observe(new HashSet<ulong> { 1, 2 }, Three, now: 100));
        Assert.Empty(liveness.Observe(new HashSet<ulong> { 1, 2 }, Three, now: 200));
        Assert.False(liveness.IsActive(3));

        // Not leading: nothing to declare. Leading from 300: member 3's silence counts from then, not from 100.
        Assert.Empty(liveness.Inactive(Three, leading: false, now: 250));
        Assert.Equal([(3UL, 0L, true)], liveness.Inactive(Three, leading: true, now: 300));
        Assert.Equal([(3UL, 700L, true)], liveness.Inactive(Three, leading: true, now: 1_000));

        // Back in the view: no longer inactive.
        Assert.Empty(liveness.Observe(new HashSet<ulong> { 1, 2, 3 }, Three, now: 1_100));
        Assert.Empty(liveness.Inactive(Three, leading: true, now: 1_200));
    }

    [Fact]
    public void A_member_back_from_down_starts_its_clock_afresh_with_the_grace_of_a_silo_never_seen()
    {
        var liveness = new MemberLiveness(self: 1);
        liveness.Observe(new HashSet<ulong> { 1, 2, 3 }, Three, now: 0);
        liveness.Observe(new HashSet<ulong> { 1, 2 }, Three, now: 100);
        ClusterMemberInfo[] down = [Member(1), Member(2), Member(3, down: true)];
        Assert.Equal(3UL, Assert.Single(liveness.Inactive(down, leading: true, now: 5_000)).Id);

        // Member 3 is up again in the member list, but its silo is not active yet.
        Assert.Equal([(3UL, 0L, false)], liveness.Inactive(Three, leading: true, now: 6_000));
        Assert.Equal([(3UL, 500L, false)], liveness.Inactive(Three, leading: true, now: 6_500));
    }

    private static ClusterMemberInfo Member(ulong id, bool down = false) => new(id, "", "", "", DateTimeOffset.UnixEpoch, down);
}
