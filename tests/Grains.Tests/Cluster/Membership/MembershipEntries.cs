using System.Net;
using Orleans;
using Orleans.Runtime;

namespace IceFire.Grains.Tests.Cluster.Membership;

/// <summary>Membership entries as a silo writes them on start: Joining, times to the second, a fresh generation each.</summary>
internal static class MembershipEntries
{
    private static int _generation;

    public static SiloAddress NewSilo() => SiloAddress.New(IPAddress.Loopback, 11111, Interlocked.Increment(ref _generation));

    public static DateTime NowToTheSecond()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    public static MembershipEntry New(SiloStatus status = SiloStatus.Joining, TimeSpan age = default)
    {
        var silo = NewSilo();
        return new MembershipEntry
        {
            SiloAddress = silo,
            HostName = "host-" + silo.Generation,
            SiloName = "silo-" + silo.Generation,
            Status = status,
            ProxyPort = 30000,
            StartTime = NowToTheSecond() - age,
            IAmAliveTime = NowToTheSecond() - age,
        };
    }
}
