using System.Net;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Interfaces;

public sealed class LoginThrottleTests
{
    private static readonly LoginThrottleOptions Options = new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromSeconds(2),
        QuietPeriod = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public void TheFirstFailureIsFreeThenTheDelayDoublesUpToTheCap()
    {
        var throttle = new LoginThrottle(Options, new ManualTimeProvider());
        var delays = Enumerable.Range(0, 13).Select(i => throttle.Failed("10.0.0.1", "t" + i).TotalMilliseconds).ToList();
        Assert.Equal([0, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2000, 2000, 2000], delays);
        Assert.Equal(13, throttle.Failures);
        Assert.Equal(12, throttle.Throttled);
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.DelayFor(int.MaxValue));
    }

    [Fact]
    public void ATenantIsThrottledWhateverTheSourceAndASuccessResetsItButNotTheSource()
    {
        var throttle = new LoginThrottle(Options, new ManualTimeProvider());
        Assert.Equal(TimeSpan.Zero, throttle.Failed("10.0.0.1", "victim"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), throttle.Failed("10.0.0.2", "victim"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), throttle.Failed("10.0.0.3", "victim"));
        throttle.Succeeded("victim");
        Assert.Equal(TimeSpan.Zero, throttle.Failed("10.0.0.4", "victim"));

        // A client that logs into its own tenant between guesses keeps its source's count.
        Assert.Equal(TimeSpan.Zero, throttle.Failed("10.0.0.9", "a"));
        throttle.Succeeded("mine");
        Assert.Equal(TimeSpan.FromMilliseconds(5), throttle.Failed("10.0.0.9", "b"));
        throttle.Succeeded("mine");
        Assert.Equal(TimeSpan.FromMilliseconds(10), throttle.Failed("10.0.0.9", "c"));
    }

    [Fact]
    public void AQuietPeriodForgetsTheFailures()
    {
        var clock = new ManualTimeProvider();
        var throttle = new LoginThrottle(Options, clock);
        throttle.Failed("10.0.0.1", "t");
        Assert.Equal(TimeSpan.FromMilliseconds(5), throttle.Failed("10.0.0.1", "t"));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TimeSpan.FromMilliseconds(10), throttle.Failed("10.0.0.1", "t"));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(TimeSpan.Zero, throttle.Failed("10.0.0.1", "t"));
    }

    [Fact]
    public void PastTheTrackedLimitNewNamesShareOneCounter()
    {
        var clock = new ManualTimeProvider();
        var throttle = new LoginThrottle(Options with { MaxTracked = 2 }, clock);
        throttle.Failed("s", "n1");
        throttle.Failed("s2", "n2");
        Assert.Equal(TimeSpan.FromMilliseconds(5), throttle.Failed("s", "n3"));
        // n3, n4 and n5 are counted together, from different sources.
        Assert.Equal(TimeSpan.FromMilliseconds(5), throttle.Failed("s3", "n4"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), throttle.Failed("s4", "n5"));
        Assert.True(throttle.TrackedTenants <= 3);
        // Once the old ones have been quiet, a sweep makes room again.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.Zero, throttle.Failed("s5", "n6"));
    }

    [Fact]
    public void WithBothTablesFullEachIsSwept()
    {
        var clock = new ManualTimeProvider();
        var throttle = new LoginThrottle(Options with { MaxTracked = 2 }, clock);
        throttle.Failed("s1", "n1");
        throttle.Failed("s2", "n2");
        clock.Advance(TimeSpan.FromMinutes(2));
        // The sources' sweep makes room for s3; the tenants' table must get its own sweep in the same second.
        Assert.Equal(TimeSpan.Zero, throttle.Failed("s3", "n3"));
        Assert.Equal(1, throttle.TrackedTenants);
        Assert.Equal(TimeSpan.Zero, throttle.Failed("s4", "n4"));
    }

    [Fact]
    public void NamesLongerThanAnyTenantsShareOneCounter()
    {
        var throttle = new LoginThrottle(Options, new ManualTimeProvider());
        throttle.Failed("10.0.0.1", new string('a', 65));
        Assert.Equal(TimeSpan.FromMilliseconds(5), throttle.Failed("10.0.0.2", new string('b', 100_000)));
        Assert.Equal(1, throttle.TrackedTenants);
    }

    [Fact]
    public void AnIPv6ClientIsCountedByItsSlash64()
    {
        Assert.Equal("10.1.2.3", LoginThrottle.SourceOf(new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 5)));
        Assert.Equal(
            LoginThrottle.SourceOf(new IPEndPoint(IPAddress.Parse("2001:db8:1:2::1"), 1)),
            LoginThrottle.SourceOf(new IPEndPoint(IPAddress.Parse("2001:db8:1:2:ffff::9"), 2)));
        Assert.NotEqual(
            LoginThrottle.SourceOf(new IPEndPoint(IPAddress.Parse("2001:db8:1:2::1"), 1)),
            LoginThrottle.SourceOf(new IPEndPoint(IPAddress.Parse("2001:db8:1:3::1"), 1)));
    }
}
