using System.Net;
using System.Text;
using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests;

/// <summary>GET /metrics of a real silo: Prometheus text with IceFire's, Orleans' and the runtime's instruments.</summary>
public sealed class MetricsTests : IDisposable
{
    private const int Sets = 40;
    private const int Gets = 40;
    private const int Pipelined = 16;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task MetricsServesPrometheusTextWithTheSilosInstruments()
    {
        await using var silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"));
        using var resp = RespSocket.Connect(silo.Port);
        for (var i = 0; i < Sets; i++)
        {
            Assert.Equal("+OK\r\n", resp.Call("SET", "k" + i, "v" + i));
        }
        for (var i = 0; i < Gets; i++)
        {
            Assert.Equal($"${("v" + i).Length}\r\nv{i}\r\n", resp.Call("GET", "k" + i));
        }
        var pipeline = new StringBuilder();
        for (var i = 0; i < Pipelined; i++)
        {
            pipeline.Append("*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n");
        }
        resp.Send(pipeline.ToString());
        for (var i = 0; i < Pipelined; i++)
        {
            Assert.Equal("$2\r\nv1\r\n", resp.ReadReply());
        }
        Assert.Equal("+PONG\r\n", resp.Call("PING"));
        await using var sql = await PgWire.ConnectAsync(silo.SqlPort);
        Assert.Null((await sql.QueryAsync("CREATE TABLE m (x INTEGER)"))[^1].SqlState);
        Assert.Null((await sql.QueryAsync("INSERT INTO m VALUES (1); SELECT x FROM m"))[^1].SqlState);

        using var http = new HttpClient { BaseAddress = silo.AdminUri, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var metrics = PrometheusText.Parse(body);

        Assert.Equal("counter", metrics.Types["icefire_resp_commands_total"]);
        Assert.True(metrics.Value("icefire_resp_commands_total", "icefire_command_family=string") >= Sets + Gets + Pipelined, body);
        Assert.True(metrics.Value("icefire_resp_commands_total", "icefire_command_family=connection") >= 1, body);
        AssertHistogram(metrics, "icefire_resp_command_duration_seconds", "icefire_command_family=string");
        AssertHistogram(metrics, "icefire_raft_commit_duration_seconds");
        Assert.True(metrics.Value("icefire_connections", "icefire_protocol=resp") >= 1, body);
        Assert.True(metrics.Value("icefire_connections", "icefire_protocol=sql") >= 1, body);
        Assert.True(metrics.Value("icefire_sql_statements_total") >= 3, body);
        AssertHistogram(metrics, "icefire_sql_statement_duration_seconds");
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
        Assert.True(metrics.Value("icefire_storage_lmdb_size_bytes") > 0, body);
        Assert.Equal("gauge", metrics.Types["icefire_raft_apply_lag"]);
        // The system group and the default tenant's, both led here.
        Assert.True(metrics.Value("icefire_raft_leaders") >= 2, body);
        Assert.True(metrics.Value("icefire_raft_apply_lag") >= 0, body);
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MetricsNeedNoTokenWhileTheTenantEndpointsDo()
    {
        await using var silo = await SiloProcess.StartWithAdminAsync(_temp.Sub("data"), "--admin-token", "s3cret");
        using var http = new HttpClient { BaseAddress = silo.AdminUri, Timeout = TimeSpan.FromSeconds(30) };
        using var metrics = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        PrometheusText.Parse(await metrics.Content.ReadAsStringAsync());
        using var stats = await http.GetAsync("/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
    }

    [Fact]
    public async Task OtlpEndpointInTheEnvironmentPushesTheMetricsWithoutAnAdminPort()
    {
        await using var collector = new OtlpCollector("icefire.storage.lmdb.size");
        await using var silo = await SiloProcess.StartWithEnvironmentAsync(_temp.Sub("data"), collector.Environment(200));
        await silo.WaitReadyAsync();
        await WaitForExportAsync(collector, "every 200 ms");
    }

    [Fact]
    public async Task StoppingPushesWhatThePeriodicExportHasNotSentYet()
    {
        await using var collector = new OtlpCollector("icefire.resp.commands");
        // The default interval is a minute: an export within this test is the one made on stopping.
        await using var silo = await SiloProcess.StartWithEnvironmentAsync(_temp.Sub("data"), collector.Environment(null));
        await silo.WaitReadyAsync();
        using (var resp = RespSocket.Connect(silo.Port))
        {
            Assert.Equal("+OK\r\n", resp.Call("SET", "k", "v"));
        }
        silo.Terminate();
        Assert.Equal(0, await silo.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await WaitForExportAsync(collector, "when the silo stopped");
    }

    private static async Task WaitForExportAsync(OtlpCollector collector, string when)
    {
        try
        {
            await collector.Received.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no OTLP export with IceFire's metrics reached the collector {when} (waited 30 s); requests: {collector.Paths}");
        }
    }

    [Fact]
    public void TheReaderRejectsLinesThatAreNotExposition()
    {
        const string Typed = "# TYPE a counter\n";
        PrometheusText.Parse(Typed + "a{x=\"1\",y=\"q\\\"\"} 2.5\na 3 1700000000000\n");
        Assert.Throws<FormatException>(() => PrometheusText.Parse("a 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse(Typed + "a{x=1} 2\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse(Typed + "a two\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse(Typed + Typed));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("# TYPE b-c gauge\n"));
    }

    /// <summary>A histogram with samples: cumulative buckets ending in le="+Inf", which equals the count.</summary>
    private static void AssertHistogram(PrometheusText metrics, string name, params string[] labels)
    {
        Assert.Equal("histogram", metrics.Types[name]);
        var buckets = metrics.Named(name + "_bucket")
            .Where(s => labels.All(l => s.Labels.TryGetValue(l[..l.IndexOf('=')], out var v) && v == l[(l.IndexOf('=') + 1)..]))
            .ToList();
        Assert.True(buckets.Count > 2, $"{name} has {buckets.Count} buckets");
        for (var i = 1; i < buckets.Count; i++)
        {
            Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"{name}: bucket le={buckets[i].Labels["le"]} is below the one before");
        }
        Assert.Equal("+Inf", buckets[^1].Labels["le"]);
        var count = metrics.Value(name + "_count", labels);
        Assert.True(count > 0, $"{name} has no samples");
        Assert.Equal(count, buckets[^1].Value);
        Assert.True(metrics.Value(name + "_sum", labels) > 0, $"{name} sums to 0");
    }
}
