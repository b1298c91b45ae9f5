using System.Diagnostics;
using System.Net.Http.Json;

namespace IceFire.Raft.Bench;

/// <summary>
/// The same closed-loop put workload against etcd through its v3 JSON gateway (POST /v3/kv/put). The gateway adds
/// HTTP/JSON cost on top of etcd's own gRPC path, so these figures are a lower bound for etcd.
/// </summary>
internal static class EtcdBench
{
    public static async Task Run(int seconds, int[] concurrencies, int payload, string[] endpoints)
    {
        var leaderEndpoint = await FindLeader(endpoints);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri(leaderEndpoint) };
        var value = Convert.ToBase64String(new byte[payload]);
        var n = 0L;
        async Task Put()
        {
            var key = Convert.ToBase64String(BitConverter.GetBytes(Interlocked.Increment(ref n) % 1024));
            using var r = await http.PostAsJsonAsync("/v3/kv/put", new { key, value });
            r.EnsureSuccessStatusCode();
        }

        for (var i = 0; i < 200; i++) await Put();
        Console.WriteLine($"# etcd 3.4: 3 members on 127.0.0.1, puts sent to the leader ({leaderEndpoint}) through the v3 JSON gateway, {payload}-byte values, {seconds}s per row");
        Console.WriteLine("| proposers | commits/s | p50 ms | p99 ms |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var c in concurrencies)
        {
            var latencies = new List<double>[c];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, c).Select(async i =>
            {
                var mine = latencies[i] = [];
                while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
                {
                    var t0 = Stopwatch.GetTimestamp();
                    await Put();
                    mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            }));
            var all = latencies.SelectMany(l => l).Order().ToArray();
            Console.WriteLine($"| {c} | {all.Length / clock.Elapsed.TotalSeconds:F0} | {all[all.Length / 2]:F2} | {all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]:F2} |");
        }
    }

    /// <summary>Asks each member for its status and returns the endpoint of the member that leads.</summary>
    private static async Task<string> FindLeader(string[] endpoints)
    {
        using var http = new HttpClient();
        foreach (var endpoint in endpoints)
        {
            using var r = await http.PostAsJsonAsync(endpoint + "/v3/maintenance/status", new { });
            var status = await r.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            var header = status.GetProperty("header");
            if (header.GetProperty("member_id").GetString() == status.GetProperty("leader").GetString()) return endpoint;
        }

        return endpoints[0];
    }
}
