using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace IceFire.Grains.Cluster.Membership;

/// <summary>
/// The gateways of an Orleans cluster as its membership table in the system group lists them: every Active silo
/// with a gateway (proxy) port, for clients that run beside a <see cref="ClusterNode"/>.
/// </summary>
public sealed class SystemGroupGatewayListProvider : IGatewayListProvider
{
    private readonly SystemGroupMembershipTable _table;

    /// <summary>The gateways of <paramref name="clusterId"/>'s table on <paramref name="node"/>'s system group.</summary>
    public SystemGroupGatewayListProvider(ClusterNode node, string clusterId) => _table = new SystemGroupMembershipTable(node, clusterId);

    /// <summary>The gateways of the Orleans cluster the client's <see cref="ClusterOptions"/> name.</summary>
    public SystemGroupGatewayListProvider(ClusterNode node, IOptions<ClusterOptions> clusterOptions) => _table = new SystemGroupMembershipTable(node, (clusterOptions ?? throw new ArgumentNullException(nameof(clusterOptions))).Value.ClusterId);

    /// <inheritdoc />
    public TimeSpan MaxStaleness => TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    [Obsolete("Orleans no longer reads it; every provider is updatable")]
    public bool IsUpdatable => true;

    /// <inheritdoc />
    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<IList<Uri>> GetGateways()
    {
        var data = await _table.ReadAll().ConfigureAwait(false);
        var gateways = new List<Uri>();
        foreach (var (entry, _) in data.Members)
        {
            if (entry.Status == SiloStatus.Active && entry.ProxyPort != 0)
            {
                gateways.Add(SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri());
            }
        }
        return gateways;
    }
}
