using System.Diagnostics.Metrics;
using IceFire.Raft.Transport;

namespace IceFire.Raft.Hosting;

/// <summary>
/// Publishes a host's and a transport's counters on the "IceFire.Raft" <see cref="Meter"/>, read when a listener
/// (OpenTelemetry, the /metrics endpoint) collects: nothing is computed between collections.
/// </summary>
public sealed class RaftMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "IceFire.Raft";

    private readonly Meter _meter;

    /// <summary>Registers the instruments for <paramref name="host"/> and, if given, <paramref name="transport"/>.</summary>
    public RaftMetrics(RaftHost host, TcpTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _meter = new Meter(MeterName);
        var node = new KeyValuePair<string, object?>("node", host.Options.NodeId);
        _meter.CreateObservableGauge("icefire.raft.groups", () => new Measurement<int>(host.Groups.Count, node), description: "Raft groups on this node");
        _meter.CreateObservableGauge("icefire.raft.leaders", () => new Measurement<int>(host.Groups.Count(g => g.Role == RaftRole.Leader), node), description: "Groups this node leads");
        _meter.CreateObservableGauge("icefire.raft.quiesced", () => new Measurement<int>(host.Groups.Count(g => g.Quiesced), node), description: "Groups that are quiet");
        _meter.CreateObservableGauge("icefire.raft.faulted", () => new Measurement<int>(host.Groups.Count(g => g.Fault is not null), node), description: "Groups stopped by a storage or state machine failure");
        _meter.CreateObservableCounter("icefire.raft.dropped_unknown_group", () => new Measurement<long>(host.DroppedUnknownGroup, node), description: "Messages for groups not on this node");
        if (transport is null) return;
        var c = transport.Counters;
        _meter.CreateObservableCounter("icefire.raft.transport.frames_sent", () => new Measurement<long>(c.FramesSent, node));
        _meter.CreateObservableCounter("icefire.raft.transport.frames_received", () => new Measurement<long>(c.FramesReceived, node));
        _meter.CreateObservableCounter("icefire.raft.transport.messages_sent", () => new Measurement<long>(c.MessagesSent, node));
        _meter.CreateObservableCounter("icefire.raft.transport.messages_dropped", () => new Measurement<long>(c.MessagesDropped, node));
        _meter.CreateObservableCounter("icefire.raft.transport.corrupt_frames", () => new Measurement<long>(c.CorruptFrames, node));
        _meter.CreateObservableCounter("icefire.raft.transport.invalid_messages", () => new Measurement<long>(c.InvalidMessages, node));
        _meter.CreateObservableCounter("icefire.raft.transport.rejected_connections", () => new Measurement<long>(c.RejectedConnections, node));
        _meter.CreateObservableGauge("icefire.raft.transport.open_connections", () => new Measurement<int>(transport.OpenConnections, node));
    }

    /// <inheritdoc/>
    public void Dispose() => _meter.Dispose();
}
