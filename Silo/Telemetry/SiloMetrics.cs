using System.Diagnostics.Metrics;
using IceFire.Gateway.Resp;
using IceFire.Gateway.Sql;

namespace IceFire.Silo.Telemetry;

/// <summary>
/// The silo-wide instruments on the "IceFire" <see cref="Meter"/>: what no one gateway owns, such as the open
/// connections of every protocol under one name.
/// </summary>
internal sealed class SiloMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "IceFire";

    private const string ProtocolTag = "icefire.protocol";
    private static readonly KeyValuePair<string, object?> Resp = new(ProtocolTag, "resp");
    private static readonly KeyValuePair<string, object?> Sql = new(ProtocolTag, "sql");
    private readonly Meter _meter;

    public SiloMetrics(RespServer resp, SqlServer? sql)
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableUpDownCounter("icefire.connections", () => Connections(resp, sql), "{connection}",
            "Client connections open now, by protocol");
    }

    private static Measurement<int>[] Connections(RespServer resp, SqlServer? sql) => sql is null
        ? [new Measurement<int>(resp.ConnectedClients, Resp)]
        : [new Measurement<int>(resp.ConnectedClients, Resp), new Measurement<int>(sql.ConnectionCount, Sql)];

    public void Dispose() => _meter.Dispose();
}
