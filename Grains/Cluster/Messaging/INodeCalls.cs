using Orleans;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// Calls from this silo to another by node id: a forwarded tenant command, a SQL session's step, a tenant change for
/// the system group's leader, a replica status query, a publish. Each concern is one interface that extends
/// <see cref="INodeCallTarget"/>; <see cref="INodeService"/>, the Orleans grain service every silo runs, joins them, and
/// <see cref="OrleansNodeCalls"/> reaches it on the target node's silo. Thread-safe.
/// </summary>
public interface INodeCalls
{
    /// <summary>
    /// Runs <paramref name="call"/> against the <typeparamref name="TTarget"/> of <paramref name="nodeId"/>'s silo, passing it
    /// <paramref name="cancellationToken"/>; cancelling it cancels the call there.
    /// </summary>
    /// <exception cref="NodeCallException">The silo could not be reached, the call broke off, or its handler failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<TResult> CallAsync<TTarget, TResult>(ulong nodeId, Func<TTarget, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TTarget : class, INodeCallTarget;
}

/// <summary>
/// One concern of the calls a silo serves for others. Its methods take and return Orleans-serializable types
/// (<c>[GenerateSerializer]</c>) and report expected refusals in their results; an exception means the call failed.
/// </summary>
public interface INodeCallTarget : IAddressable;

/// <summary>
/// A call to another silo failed on its way: the silo could not be reached, the call broke off or timed out, or its
/// handler threw. <see cref="Sent"/> tells whether the request may have reached the silo, so a caller knows whether
/// retrying a write could run it twice.
/// </summary>
public sealed class NodeCallException(bool sent, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>False only when the request certainly never left this silo.</summary>
    public bool Sent { get; } = sent;
}

/// <summary>A silo with no messaging to other silos (before its messaging starts, or in tests of one node).</summary>
public sealed class NoNodeCalls : INodeCalls
{
    public static NoNodeCalls Instance { get; } = new();

    public Task<TResult> CallAsync<TTarget, TResult>(ulong nodeId, Func<TTarget, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TTarget : class, INodeCallTarget =>
        Task.FromException<TResult>(new NodeCallException(false, $"node {nodeId} cannot be called: this silo's messaging has not started"));
}
