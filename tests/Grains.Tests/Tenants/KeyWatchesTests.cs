using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using Xunit;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>The key versions behind WATCH, and what a reset (a change of leader) does to them.</summary>
public sealed class KeyWatchesTests
{
    private static bool NeverExpired(int db, byte[] key) => false;

    [Fact]
    public void AWatchMadeBeforeAResetFailsAndItsReleaseLeavesNewerWatchesAlone()
    {
        var watches = new KeyWatches();
        var old = new WatchSet();
        watches.Watch(old, 0, "k"u8, expired: false);
        Assert.True(watches.Unchanged(old, NeverExpired));

        watches.Reset(1L << 40);
        Assert.False(watches.Unchanged(old, NeverExpired));
        Assert.Equal(0, watches.Count);

        var fresh = new WatchSet();
        watches.Watch(fresh, 0, "k"u8, expired: false);
        Assert.True(fresh.Keys[0].Version >= 1L << 40);
        watches.Release(old);
        Assert.Equal(1, watches.Count);
        Assert.True(watches.Unchanged(fresh, NeverExpired));
        watches.Touch(0, "k"u8);
        Assert.False(watches.Unchanged(fresh, NeverExpired));
    }

    [Fact]
    public void VersionsOfAnotherReplicasEarlierTermNeverMatch()
    {
        // A set watched on the leader of term 1 is checked on the leader of term 2, whose counter started elsewhere.
        var first = new KeyWatches();
        first.Reset(1L << 40);
        var set = new WatchSet();
        first.Watch(set, 0, "k"u8, expired: false);

        var second = new KeyWatches();
        second.Reset(2L << 40);
        var other = new WatchSet();
        second.Watch(other, 0, "k"u8, expired: false);
        Assert.False(second.Unchanged(set, NeverExpired));
        Assert.True(second.Unchanged(other, NeverExpired));
    }
}
