using Orleans;

namespace IceFire.Grains.Cluster.Messaging;

/// <summary>
/// Calls whose request and answer are bytes in a format of their own, told apart by a kind byte: the calls not yet
/// carried as typed methods of a <see cref="INodeCallTarget"/>.
/// </summary>
[Alias("IceFire.IPayloadCalls")]
public interface IPayloadCalls : INodeCallTarget
{
    /// <summary>Serves one call. Bounded by the caller's token, not by Orleans' response timeout: a blocking command or a
    /// long SQL statement may rightly take minutes.</summary>
    [Alias("Call")]
    [ResponseTimeout("7.00:00:00")]
    Task<NodeCallReply> CallAsync(byte kind, byte[] payload, CancellationToken cancellationToken);
}

/// <summary>The answer of <see cref="IPayloadCalls.CallAsync"/>: a status (0 for success) and a payload the caller parses.</summary>
[GenerateSerializer, Immutable, Alias("IceFire.NodeCallReply")]
public sealed record NodeCallReply([property: Id(0)] byte Status, [property: Id(1)] byte[] Payload);

/// <summary>What a payload call's handler answered.</summary>
public readonly record struct NodeCallResult(byte Status, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The status of a call whose handler threw; the payload is its message in UTF-8.</summary>
    public const byte Failed = 255;
}

/// <summary>Payload calls through <see cref="INodeCalls"/>.</summary>
public static class PayloadCalls
{
    /// <summary>Calls the silo of <paramref name="nodeId"/> with a request of <paramref name="kind"/>.</summary>
    /// <exception cref="NodeCallException">The silo could not be reached, the call broke off, or its handler failed.</exception>
    public static async Task<NodeCallResult> CallAsync(this INodeCalls calls, ulong nodeId, byte kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var request = payload.ToArray();
        var reply = await calls.CallAsync<IPayloadCalls, NodeCallReply>(nodeId, (target, ct) => target.CallAsync(kind, request, ct), cancellationToken)
            .ConfigureAwait(false);
        if (reply.Status == NodeCallResult.Failed)
        {
            throw new NodeCallException(true, $"node {nodeId} failed the call: {System.Text.Encoding.UTF8.GetString(reply.Payload)}");
        }
        return new NodeCallResult(reply.Status, reply.Payload);
    }
}

/// <summary>Serves payload calls with <paramref name="serve"/>; a handler that throws answers <see cref="NodeCallResult.Failed"/>.</summary>
public sealed class PayloadCallTarget(Func<byte, ReadOnlyMemory<byte>, CancellationToken, ValueTask<NodeCallResult>> serve) : IPayloadCalls
{
    public async Task<NodeCallReply> CallAsync(byte kind, byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            var result = await serve(kind, payload, cancellationToken).ConfigureAwait(false);
            return new NodeCallReply(result.Status, result.Payload.ToArray());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // The caller hears the handler's failure as a failed call (NodeCallException), as with any other silo fault.
            return new NodeCallReply(NodeCallResult.Failed, System.Text.Encoding.UTF8.GetBytes(e.Message));
        }
    }
}
