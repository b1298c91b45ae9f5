using IceFire.Grains.Cluster.Wire;
using Orleans;
using Orleans.Runtime;

namespace IceFire.Grains.Cluster.Membership;

/// <summary>
/// Orleans' <see cref="MembershipEntry"/> to and from its row in the system state, field by field, so the replicated
/// state holds only numbered protobuf fields (append-only, like every persisted format here) and no Orleans types.
/// Times are kept as UTC ticks.
/// </summary>
internal static class MembershipEntryCodec
{
    /// <summary>The row of <paramref name="entry"/>, naming <paramref name="nodeId"/> as its node (0 when the writer does not know it).</summary>
    public static MembershipEntryProto ToProto(MembershipEntry entry, ulong nodeId = 0)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var proto = new MembershipEntryProto
        {
            SiloAddress = entry.SiloAddress.ToParsableString(),
            Status = (int)entry.Status,
            HasSuspectTimes = entry.SuspectTimes is not null,
            ProxyPort = entry.ProxyPort,
            HostName = entry.HostName ?? "",
            SiloName = entry.SiloName ?? "",
            RoleName = entry.RoleName ?? "",
            HasRoleName = entry.RoleName is not null,
            UpdateZone = entry.UpdateZone,
            FaultZone = entry.FaultZone,
            StartTimeTicks = UtcTicks(entry.StartTime),
            IAmAliveTicks = UtcTicks(entry.IAmAliveTime),
            NodeId = nodeId,
        };
        if (entry.SuspectTimes is { } votes)
        {
            foreach (var (silo, time) in votes)
            {
                proto.SuspectTimes.Add(new MembershipSuspectProto { SiloAddress = silo.ToParsableString(), TimeTicks = UtcTicks(time) });
            }
        }
        return proto;
    }

    public static MembershipEntry FromProto(MembershipEntryProto proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        List<Tuple<SiloAddress, DateTime>>? votes = null;
        if (proto.HasSuspectTimes)
        {
            votes = new List<Tuple<SiloAddress, DateTime>>(proto.SuspectTimes.Count);
            foreach (var vote in proto.SuspectTimes)
            {
                votes.Add(Tuple.Create(SiloAddress.FromParsableString(vote.SiloAddress), Utc(vote.TimeTicks)));
            }
        }
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.FromParsableString(proto.SiloAddress),
            Status = (SiloStatus)proto.Status,
            SuspectTimes = votes,
            ProxyPort = proto.ProxyPort,
            HostName = proto.HostName,
            SiloName = proto.SiloName,
            RoleName = proto.HasRoleName ? proto.RoleName : null,
            UpdateZone = proto.UpdateZone,
            FaultZone = proto.FaultZone,
            StartTime = Utc(proto.StartTimeTicks),
            IAmAliveTime = Utc(proto.IAmAliveTicks),
        };
    }

    /// <summary>Orleans writes UTC times; a local one is converted, an unspecified one taken as UTC.</summary>
    public static long UtcTicks(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime().Ticks : time.Ticks;

    private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);
}
