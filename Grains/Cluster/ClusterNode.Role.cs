using System.Security.Cryptography;
using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Raft;

namespace IceFire.Grains.Cluster;

public sealed partial class ClusterNode : IReplicationView
{
    /// <inheritdoc />
    public async ValueTask<ReplicationRole?> GetRoleAsync(string tenant)
    {
        if (LocalReplicaOf(tenant) is not { } local)
        {
            return null;
        }
        var status = await local.Group.GetStatusAsync().ConfigureAwait(false);
        var state = State;
        var replicationId = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{state.ClusterId}/{local.GroupId}")));
        if (status.Role == RaftRole.Leader)
        {
            var replicas = status.Members
                .Select(p => (Member: state.Member(p.Id), Progress: p))
                .Where(r => r.Member is not null)
                .Select(r =>
                {
                    var (host, port) = HostAndPort(r.Member!.RespAddress);
                    return new ReplicaRole(host, port, (long)r.Progress.Match, r.Progress.RecentActive && Answering(r.Member.Id));
                })
                .ToList();
            return new ReplicationRole(true, (long)status.Applied, null, replicas, replicationId);
        }
        ReplicaRole? leader = null;
        if (status.Leader != 0 && state.Member(status.Leader) is { } member)
        {
            var (host, port) = HostAndPort(member.RespAddress);
            leader = new ReplicaRole(host, port, (long)status.Commit, true);
        }
        return new ReplicationRole(false, (long)status.Applied, leader, [], replicationId);
    }

    /// <summary>
    /// Whether <paramref name="member"/> has an active silo in the cluster's view: an idle group stops heartbeating, so
    /// its own view of a follower's activity goes stale, and a dead replica would still look online.
    /// </summary>
    private bool Answering(ulong member) => _liveness.IsActive(member);

    private static (string Host, int Port) HostAndPort(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && int.TryParse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? (address[..colon], port)
            : (address, 0);
    }
}
