using System.Net;
using System.Net.Sockets;

namespace IceFire.Silo.Tests.Infrastructure;

/// <summary>
/// A stand-in OTLP/HTTP collector on a free loopback port: answers every POST with 200 and completes
/// <see cref="Received"/> once a /v1/metrics request carries <paramref name="marker"/> (protobuf keeps names as UTF-8).
/// </summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _marker;
    private readonly List<string> _paths = [];
    private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _serving;

    public OtlpCollector(string marker)
    {
        _marker = System.Text.Encoding.UTF8.GetBytes(marker);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    /// <summary>Completes when a metrics export holding the marker arrived.</summary>
    public Task Received => _received.Task;

    /// <summary>The paths requested so far, for a failure message.</summary>
    public string Paths
    {
        get
        {
            lock (_paths)
            {
                return string.Join(" ", _paths);
            }
        }
    }

    /// <summary>The environment that points a silo's OTLP exporter here.</summary>
    public Dictionary<string, string> Environment(int? intervalMilliseconds) => intervalMilliseconds is { } interval
        ? new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = interval.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }
        : new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var path = context.Request.Url!.AbsolutePath;
            lock (_paths)
            {
                _paths.Add(path);
            }
            if (path == "/v1/metrics" && body.ToArray().AsSpan().IndexOf(_marker) >= 0)
            {
                _received.TrySetResult();
            }
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
