using System.Net.Http.Json;
using System.Text.Json;

namespace IceFire.Cluster.Bench;

/// <summary>
/// Put load on etcd 3.4 through its v3 JSON gateway (POST /v3/kv/put, base64 key and value), sent to the leader.
/// The gateway adds HTTP/JSON cost on top of etcd's gRPC path, so these figures are a lower bound for etcd.
/// </summary>
internal static class EtcdLoad
{
    public static async Task RunAsync(string[] endpoints, int concurrency, double seconds, int runs)
    {
        var leader = await FindLeaderAsync(endpoints);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(leader) };
        var value = Convert.ToBase64String(new byte[Workload.ValueSize]);
        await ClosedLoop.RunAsync(concurrency, seconds, runs, i =>
        {
            byte[] Body(string key) => JsonSerializer.SerializeToUtf8Bytes(new { key = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key)), value });
            var fixedBody = Workload.Keyspace == 0 ? Body($"bench:{i}") : null;
            var random = new Random(i);
            Func<Task<bool>> op = async () =>
            {
                using var content = new ByteArrayContent(fixedBody ?? Body($"bench:{random.Next(Workload.Keyspace)}"));
                content.Headers.ContentType = new("application/json");
                using var r = await http.PostAsync("/v3/kv/put", content);
                if (r.IsSuccessStatusCode) return true;
                Console.Error.WriteLine($"etcd put: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                return false;
            };
            return Task.FromResult(op);
        });
    }

    /// <summary>Asks each member for its status and returns the endpoint of the member that leads.</summary>
    private static async Task<string> FindLeaderAsync(string[] endpoints)
    {
        using var http = new HttpClient();
        foreach (var endpoint in endpoints)
        {
            using var r = await http.PostAsJsonAsync(endpoint + "/v3/maintenance/status", new { });
            var status = await r.Content.ReadFromJsonAsync<JsonElement>();
            if (status.GetProperty("header").GetProperty("member_id").GetString() == status.GetProperty("leader").GetString()) return endpoint;
        }

        return endpoints[0];
    }
}
