using System.Globalization;
using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Gateway.Resp;

/// <summary>ROLE and the replication section of INFO: what the silo a client reached is to its tenant's group.</summary>
internal sealed partial class RespConnection
{
    /// <summary>This silo's role for the connection's tenant; a single silo (or a tenant with no replica here) is a master alone.</summary>
    private async ValueTask<ReplicationRole> CurrentRoleAsync()
    {
        if (_server.Tenants is IReplicationView view && await view.GetRoleAsync(TenantName) is { } role)
        {
            return role;
        }
        return new ReplicationRole(true, 0, null, [], "");
    }

    /// <summary>
    /// ROLE as Redis answers it: <c>master offset [[host port offset] ...]</c> on the leader, <c>slave host port
    /// state offset</c> on a follower (state <c>connected</c>, or <c>connect</c> while no leader is known).
    /// </summary>
    private async ValueTask RoleAsync()
    {
        var role = await CurrentRoleAsync();
        if (role.IsLeader)
        {
            _writer.WriteArrayHeader(3);
            _writer.WriteBulk("master"u8);
            _writer.WriteInteger(role.Offset);
            _writer.WriteArrayHeader(role.Replicas.Count);
            foreach (var replica in role.Replicas)
            {
                _writer.WriteArrayHeader(3);
                _writer.WriteBulk(Encoding.UTF8.GetBytes(replica.Host));
                _writer.WriteBulk(Encoding.ASCII.GetBytes(replica.Port.ToString(CultureInfo.InvariantCulture)));
                _writer.WriteBulk(Encoding.ASCII.GetBytes(replica.Offset.ToString(CultureInfo.InvariantCulture)));
            }
            return;
        }
        _writer.WriteArrayHeader(5);
        _writer.WriteBulk("slave"u8);
        _writer.WriteBulk(Encoding.UTF8.GetBytes(role.Leader?.Host ?? "?"));
        _writer.WriteInteger(role.Leader?.Port ?? 0);
        _writer.WriteBulk(role.Leader is null ? "connect"u8 : "connected"u8);
        _writer.WriteInteger(role.Offset);
    }

    /// <summary>INFO's Replication section, with Redis' field names.</summary>
    private static void ReplicationSection(StringBuilder text, ReplicationRole role)
    {
        if (role.IsLeader)
        {
            text.Line("role", "master").Line("connected_slaves", role.Replicas.Count(r => r.Online));
            var i = 0;
            foreach (var replica in role.Replicas)
            {
                text.Line($"slave{i++}", $"ip={replica.Host},port={replica.Port},state={(replica.Online ? "online" : "wait_bgsave")},offset={replica.Offset},lag=0");
            }
        }
        else
        {
            text.Line("role", "slave")
                .Line("master_host", role.Leader?.Host ?? "")
                .Line("master_port", role.Leader?.Port ?? 0)
                .Line("master_link_status", role.Leader is null ? "down" : "up")
                .Line("slave_read_repl_offset", role.Offset)
                .Line("slave_repl_offset", role.Offset)
                .Line("slave_read_only", 1)
                .Line("connected_slaves", 0);
        }
        text.Line("master_replid", role.ReplicationId.Length > 0 ? role.ReplicationId : new string('0', 40))
            .Line("master_repl_offset", role.Offset);
    }
}
