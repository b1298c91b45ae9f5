using System.Diagnostics;

namespace IceFire.Cluster.Bench;

/// <summary>
/// A closed-loop load: CONCURRENCY workers, each with one request in flight, for a fixed time. Every row gets the
/// same wall-clock time whatever the system's speed, which keeps the whole benchmark within its budget.
/// </summary>
internal static class ClosedLoop
{
    /// <summary>
    /// Runs the load and prints one line per run: ops/s, p50 ms, p99 ms, errors. <paramref name="open"/> makes the
    /// operation of worker i; the operation returns false for an error reply, which is counted and not timed.
    /// </summary>
    public static async Task RunAsync(int concurrency, double seconds, int runs, Func<int, Task<Func<Task<bool>>>> open)
    {
        var ops = new Func<Task<bool>>[concurrency];
        for (var i = 0; i < concurrency; i++) ops[i] = await open(i);
        // Warm up connections, JIT and the server's first-write paths outside the timed window.
        await Task.WhenAll(ops.Select(async op => { for (var k = 0; k < 5; k++) await op(); }));
        for (var run = 1; run <= runs; run++)
        {
            var latencies = new List<double>[concurrency];
            var errors = 0;
            var deadline = TimeSpan.FromSeconds(seconds);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
            {
                var mine = latencies[i] = new List<double>(4096);
                var op = ops[i];
                while (clock.Elapsed < deadline)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    if (await op()) mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    else Interlocked.Increment(ref errors);
                }
            })));
            var elapsed = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            Console.WriteLine(all.Length == 0
                ? $"0 0 0 {errors}"
                : $"{all.Length / elapsed:F0} {Percentile(all, 0.50):F2} {Percentile(all, 0.99):F2} {errors}");
        }
    }

    public static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
}
