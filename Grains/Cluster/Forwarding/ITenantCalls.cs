using IceFire.Grains.Cluster.Messaging;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Cluster.Forwarding;

/// <summary>
/// A tenant's replica on another silo, as <see cref="RemoteTenantGrain"/> reaches it: the <see cref="ITenantGrain"/>
/// calls carried between silos. A refusal the caller expects (the replica does not lead, the silo holds no replica,
/// a write's fate is unknown, the tenant is unavailable) comes back as the result's <see cref="TenantRefusal"/>, since
/// Orleans does not carry the fields of custom exceptions; an exception means the call failed. Served concurrently.
/// </summary>
[Alias("IceFire.ITenantCalls")]
public interface ITenantCalls : INodeCallTarget
{
    /// <summary>
    /// Runs <paramref name="batch"/> on this silo's replica of its tenant (<see cref="ITenantGrain.ExecuteAsync"/>).
    /// Bounded by the caller's token, not by Orleans' response timeout: a blocking command may rightly wait for minutes.
    /// </summary>
    [Alias("Execute")]
    [ResponseTimeout("7.00:00:00")]
    Task<ForwardedReply> ExecuteAsync(ForwardedBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Wakes the blocked command that <paramref name="origin"/>'s client <paramref name="clientId"/> runs here
    /// (<see cref="ITenantGrain.UnblockAsync"/>); <paramref name="reason"/> is an <see cref="UnblockReason"/>'s number.
    /// </summary>
    [Alias("Unblock")]
    Task<UnblockReply> UnblockAsync(string tenant, ulong origin, long clientId, byte reason, CancellationToken cancellationToken);

    /// <summary>The statistics of this silo's replica of <paramref name="tenant"/> for INFO (<see cref="ITenantGrain.GetInfoAsync"/>).</summary>
    [Alias("GetInfo")]
    Task<TenantInfoReply> GetInfoAsync(string tenant, CancellationToken cancellationToken);
}
