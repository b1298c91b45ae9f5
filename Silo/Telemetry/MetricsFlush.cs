using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace IceFire.Silo.Telemetry;

/// <summary>
/// Pushes what the periodic OTLP export has not sent yet when the silo stops, so the last interval before a shutdown
/// (up to a minute by default) reaches the collector too.
/// </summary>
internal sealed class MetricsFlush(MeterProvider provider) : IHostedService
{
    private const int FlushMilliseconds = 2000;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        provider.ForceFlush(FlushMilliseconds);
        return Task.CompletedTask;
    }
}
