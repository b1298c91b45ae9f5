using Orleans;
using Orleans.Services;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// A silo's door for the calls of other silos (<see cref="INodeCalls"/>): an Orleans grain service, which runs on
/// every silo and is addressed by silo, so a call goes straight to the target silo with no grain directory between
/// (a directory partition on a silo cut off from the others would hold up calls between healthy ones). Each concern's
/// <see cref="INodeCallTarget"/> joins it in a part of its own. Cancelling the caller's token cancels the call there.
/// </summary>
[Alias("IceFire.INodeService")]
public partial interface INodeService : IGrainService;
