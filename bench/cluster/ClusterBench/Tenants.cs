using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace IceFire.Cluster.Bench;

/// <summary>
/// Creates COUNT tenants PREFIX0001.. through a silo's admin API (POST /tenants), PARALLEL requests at a time, then
/// writes one key to each through the RESP endpoints in turn, retrying a tenant whose group has no leader yet.
/// Prints "created N SECONDS", "written N SECONDS" and the distinct errors seen; exits 1 when a tenant is left out.
/// </summary>
internal static class Tenants
{
    public static async Task<int> RunAsync(string admin, string[] resp, int count, string prefix, string password, int parallel)
    {
        var names = Enumerable.Range(1, count).Select(i => $"{prefix}{i:D4}").ToArray();
        var errors = new ErrorTally();
        using var http = new HttpClient { BaseAddress = new Uri($"http://{admin}"), Timeout = TimeSpan.FromSeconds(120) };
        var clock = Stopwatch.StartNew();
        var created = 0;
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (name, _) =>
        {
            using var r = await http.PostAsJsonAsync("/tenants", new { name, password });
            if (r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict) Interlocked.Increment(ref created);
            else errors.Add($"POST /tenants {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        });
        Console.WriteLine($"created {created} {clock.Elapsed.TotalSeconds:F1}");

        clock.Restart();
        var written = 0;
        var set = RespConnection.Encode("SET", "hello", "world");
        await Parallel.ForEachAsync(names.Select((n, i) => (n, i)), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (t, _) =>
        {
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    using var c = await RespConnection.OpenAsync(resp[t.i % resp.Length], timeout.Token);
                    var auth = await c.CallAsync(RespConnection.Encode("AUTH", t.n, password), timeout.Token);
                    var reply = auth == "+OK" ? await c.CallAsync(set, timeout.Token) : auth;
                    if (reply == "+OK")
                    {
                        Interlocked.Increment(ref written);
                        return;
                    }

                    errors.Add($"AUTH+SET {reply.Replace(t.n, "NAME")}");
                }
                catch (Exception e)
                {
                    errors.Add($"AUTH+SET {e.GetType().Name}: {e.Message}");
                }

                await Task.Delay(200);
            }
        });
        Console.WriteLine($"written {written} {clock.Elapsed.TotalSeconds:F1}");
        errors.Print();
        return created == count && written == count ? 0 : 1;
    }
}
