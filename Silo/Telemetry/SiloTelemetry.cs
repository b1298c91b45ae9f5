using System.Collections;
using IceFire.Gateway.Resp;
using IceFire.Gateway.Sql;
using IceFire.Grains.Cluster;
using IceFire.Grains.Hosting;
using IceFire.Raft.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace IceFire.Silo.Telemetry;

/// <summary>
/// Exports the silo's meters (IceFire's, Orleans', the .NET runtime's) through OpenTelemetry: as Prometheus text on
/// the admin port's /metrics when the admin API is served, and over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// With neither, no listener is registered and the instruments cost a check of their Enabled flag.
/// </summary>
internal static class SiloTelemetry
{
    /// <summary>The variable that turns the OTLP exporter on (with the OTEL_EXPORTER_OTLP_* settings it reads).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The path of the Prometheus scrape on the admin port.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The meter Orleans publishes its instruments on.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The meter Kestrel publishes its connection instruments on (every listener of the silo is Kestrel's).</summary>
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>
    /// Registers the instruments of <paramref name="resp"/>, <paramref name="sql"/> and the data directory, and the
    /// exporters that are asked for; true when the Prometheus exporter is added (map it with <see cref="MapMetrics"/>).
    /// </summary>
    public static bool Add(WebApplicationBuilder builder, bool prometheus, ClusterNode node, string version, RespServer resp, SqlServer? sql, string dataPath)
    {
        var otlp = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        if (!prometheus && !otlp)
        {
            return false;
        }
        if (otlp)
        {
            // The SDK reads its OTEL_* settings (endpoint, protocol, export interval, resource) from the host's
            // configuration, which the empty builder does not fill from the environment.
            var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            {
                if (variable.Key is string name && name.StartsWith("OTEL_", StringComparison.Ordinal))
                {
                    settings[name] = variable.Value as string;
                }
            }
            builder.Configuration.AddInMemoryCollection(settings);
        }
        // Held by the container for the life of the host.
        builder.Services.AddSingleton(new SiloMetrics(resp, sql));
        builder.Services.AddSingleton(new StorageMetrics(dataPath));
        builder.Services.AddSingleton(node.CreateRaftMetrics());
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("icefire", serviceVersion: version,
                serviceInstanceId: node.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SiloMetrics.MeterName, RespMetrics.MeterName, SqlMetrics.MeterName, RaftMetrics.MeterName,
                    StorageMetrics.MeterName, OrleansMeter, KestrelMeter);
                metrics.AddRuntimeInstrumentation();
                if (prometheus)
                {
                    // Every scrape reads the instruments afresh; scrapes come seconds apart.
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            builder.Services.AddHostedService<MetricsFlush>();
        }
        return prometheus;
    }

    /// <summary>Serves the Prometheus text exposition at <see cref="MetricsPath"/>.</summary>
    public static void MapMetrics(IEndpointRouteBuilder routes) => routes.MapPrometheusScrapingEndpoint(MetricsPath);
}
