namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// Calls from this silo to another by node id: a forwarded tenant command, a SQL session's step, a tenant change for
/// the system group's leader, a replica status query, a publish. <see cref="OrleansNodeCalls"/> carries them as grain
/// calls to the target silo's <see cref="INodeService"/>. Thread-safe.
/// </summary>
public interface INodeCalls
{
    /// <summary>Calls the silo of <paramref name="nodeId"/> with a request of <paramref name="kind"/>.</summary>
    /// <exception cref="NodeCallException">The silo could not be reached, the call broke off, or its handler failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<NodeCallResult> CallAsync(ulong nodeId, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}

/// <summary>What a call's handler answered: a status (0 for success) and a payload the caller parses.</summary>
public readonly record struct NodeCallResult(byte Status, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The status of a call whose handler threw; the payload is its message in UTF-8.</summary>
    public const byte Failed = 255;
}

/// <summary>Serves one call of <paramref name="kind"/>; cancelled when the caller cancels or leaves.</summary>
public delegate ValueTask<NodeCallResult> NodeCallHandler(byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

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

    public Task<NodeCallResult> CallAsync(ulong nodeId, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        Task.FromException<NodeCallResult>(new NodeCallException(false, $"node {nodeId} cannot be called: this silo's messaging has not started"));
}
