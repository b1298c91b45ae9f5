using System.Diagnostics;

namespace IceFire.Cluster.Bench;

/// <summary>
/// Failover time per tenant: opens an authenticated connection per tenant to a surviving silo, kills the silo with
/// PID (SIGKILL), and from that instant polls SET on every tenant until it answers +OK. Prints one "tenant NAME
/// SECONDS" line each (SECONDS is -1 for a tenant that did not answer within the timeout), then the distinct errors.
/// </summary>
internal static class Failover
{
    public static async Task<int> RunAsync(int pid, string survivor, string password, double timeoutSeconds, TextReader tenantNames)
    {
        var names = new List<string>();
        while (await tenantNames.ReadLineAsync() is { } line) if (line.Trim().Length > 0) names.Add(line.Trim());
        var connections = new RespConnection?[names.Count];
        for (var i = 0; i < names.Count; i++) connections[i] = await LoginAsync(survivor, names[i], password, CancellationToken.None);

        var errors = new ErrorTally();
        var set = RespConnection.Encode("SET", "failover", "x");
        var timeout = TimeSpan.FromSeconds(timeoutSeconds);
        Process.GetProcessById(pid).Kill(); // SIGKILL on Linux
        var clock = Stopwatch.StartNew();
        var times = await Task.WhenAll(names.Select((name, i) => Task.Run(async () =>
        {
            while (clock.Elapsed < timeout)
            {
                try
                {
                    using var call = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    connections[i] ??= await LoginAsync(survivor, name, password, call.Token);
                    var reply = await connections[i]!.CallAsync(set, call.Token);
                    if (reply == "+OK") return clock.Elapsed.TotalSeconds;
                    errors.Add(reply.Replace(name, "NAME"));
                }
                catch (Exception e)
                {
                    errors.Add($"{e.GetType().Name}: {e.Message}");
                    connections[i]?.Dispose();
                    connections[i] = null;
                }

                await Task.Delay(20);
            }

            return -1.0;
        })));
        for (var i = 0; i < names.Count; i++) Console.WriteLine($"tenant {names[i]} {times[i]:F3}");
        errors.Print();
        foreach (var c in connections) c?.Dispose();
        return 0;
    }

    private static async Task<RespConnection> LoginAsync(string endpoint, string tenant, string password, CancellationToken cancel)
    {
        var c = await RespConnection.OpenAsync(endpoint, cancel);
        var auth = await c.CallAsync(RespConnection.Encode("AUTH", tenant, password), cancel);
        if (auth == "+OK") return c;
        c.Dispose();
        throw new InvalidOperationException($"AUTH {tenant}: {auth}");
    }
}
