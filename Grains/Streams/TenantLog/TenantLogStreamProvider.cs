using Orleans.Runtime;
using Orleans.Streams;

namespace IceFire.Grains.Streams;

/// <summary>
/// The Orleans stream provider <see cref="Name"/>: stream <c>(tenant, NAME)</c> of <see cref="CommittedEntry"/> is the
/// committed log of tenant NAME as this silo's replica applies it, with the log index as sequence token (STREAMS.md).
/// A grain or service on a silo that holds a replica of the tenant subscribes with
/// <c>GetStreamProvider("tenant-log").GetStream&lt;CommittedEntry&gt;(StreamId.Create("tenant", name))</c>; the stream is
/// rewindable to any index the log still holds. Only the tenant's Raft group writes it.
/// </summary>
public sealed class TenantLogStreamProvider(Func<string, TenantLog?> logs) : IStreamProvider
{
    /// <summary>The provider's name.</summary>
    public const string ProviderName = "tenant-log";

    /// <summary>The namespace of every stream it provides; the key is the tenant's name.</summary>
    public const string Namespace = "tenant";

    /// <summary>Filter data asking for every change of every entry (<see cref="CommittedEntry.Changes"/>).</summary>
    public const string AllChanges = "changes";

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public bool IsRewindable => true;

    /// <summary>The stream of <paramref name="tenant"/>'s log.</summary>
    public static StreamId StreamOf(string tenant) => StreamId.Create(Namespace, tenant);

    /// <inheritdoc />
    public IAsyncStream<T> GetStream<T>(StreamId streamId)
    {
        if (typeof(T) != typeof(CommittedEntry))
        {
            throw new ArgumentException($"the {ProviderName} stream carries {nameof(CommittedEntry)}, not {typeof(T).Name}");
        }
        if (streamId.GetNamespace() != Namespace)
        {
            throw new ArgumentException($"the {ProviderName} provider has streams in namespace \"{Namespace}\" only, not \"{streamId.GetNamespace()}\"");
        }
        return (IAsyncStream<T>)(object)new TenantLogStream(streamId, logs);
    }
}
