using Orleans;
using Orleans.Services;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// A silo's door for the calls of other silos (<see cref="INodeCalls"/>): an Orleans grain service, which runs on
/// every silo and is addressed by silo, so a call goes straight to the target silo with no grain directory between
/// (a directory partition on a silo cut off from the others would hold up calls between healthy ones). Cancelling
/// the caller's token cancels the call there.
/// </summary>
[Alias("IceFire.INodeService")]
public interface INodeService : IGrainService
{
    /// <summary>Serves one call. Bounded by the caller's token, not by Orleans' response timeout: a blocking command or a
    /// long SQL statement may rightly take minutes.</summary>
    [Alias("Call")]
    [ResponseTimeout("7.00:00:00")]
    Task<NodeCallReply> CallAsync(byte kind, byte[] payload, CancellationToken cancellationToken);
}

/// <summary>The answer of <see cref="INodeService.CallAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.NodeCallReply")]
public sealed record NodeCallReply([property: Id(0)] byte Status, [property: Id(1)] byte[] Payload);
