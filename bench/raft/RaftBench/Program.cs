using System.Diagnostics;
using IceFire.Raft.Bench;

// Usage:
//   IceFire.Raft.Bench commits [seconds] [concurrency,...] [payload-bytes] [dir]
//   IceFire.Raft.Bench idle [groups] [seconds] [dir] [quiesce-after-ticks]
//   IceFire.Raft.Bench etcd [seconds] [concurrency,...] [payload-bytes] [endpoint,...]
var mode = args.Length > 0 ? args[0] : "commits";
string Arg(int i, string fallback) => args.Length > i ? args[i] : fallback;
switch (mode)
{
    case "commits":
        await Commits(int.Parse(Arg(1, "5")), Arg(2, "1,16,256").Split(',').Select(int.Parse).ToArray(), int.Parse(Arg(3, "128")), Arg(4, TempDir()));
        break;
    case "idle":
        await Idle(int.Parse(Arg(1, "1000")), int.Parse(Arg(2, "10")), Arg(3, TempDir()), int.Parse(Arg(4, "0")));
        break;
    case "etcd":
        await EtcdBench.Run(int.Parse(Arg(1, "5")), Arg(2, "1,16,256").Split(',').Select(int.Parse).ToArray(), int.Parse(Arg(3, "128")), Arg(4, "http://127.0.0.1:23791").Split(','));
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}

return 0;

static string TempDir() => Path.Combine(Path.GetTempPath(), "icefire-raft-bench-" + Guid.NewGuid().ToString("N")[..8]);

static async Task Commits(int seconds, int[] concurrencies, int payload, string dir)
{
    await using var cluster = new LoopbackCluster(dir, nodes: 3, groups: 1, tick: TimeSpan.FromMilliseconds(50));
    var leader = await WaitForLeader(cluster, 1);
    var data = new byte[payload];
    for (var i = 0; i < 200; i++) await leader.ProposeAsync(data); // warm-up
    Console.WriteLine($"# IceFire Raft: 3 nodes on 127.0.0.1, file log with fsync ({dir}), {payload}-byte commands, {seconds}s per row");
    Console.WriteLine("| proposers | commits/s | p50 ms | p99 ms |");
    Console.WriteLine("|---:|---:|---:|---:|");
    foreach (var c in concurrencies)
    {
        var (rate, p50, p99) = await Measure(c, seconds, () => leader.ProposeAsync(data));
        Console.WriteLine($"| {c} | {rate:F0} | {p50:F2} | {p99:F2} |");
    }

    try
    {
        Directory.Delete(dir, recursive: true);
    }
    catch (IOException)
    {
    }
}

static async Task Idle(int groups, int seconds, string dir, int quiesceAfterTicks)
{
    var started = Stopwatch.StartNew();
    await using var cluster = new LoopbackCluster(dir, nodes: 3, groups: groups, tick: TimeSpan.FromMilliseconds(100), quiesceAfterTicks);
    while (Enumerable.Range(1, groups).Any(g => cluster.Leader((ulong)g) is null))
    {
        if (started.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException("not every group elected a leader within 3 minutes");
        await Task.Delay(200);
    }

    var elected = started.Elapsed;
    // Let quiescing groups settle before measuring (at most one election timeout after the last election).
    if (quiesceAfterTicks > 0) await Task.Delay(TimeSpan.FromSeconds(3));
    GC.Collect();
    var proc = Process.GetCurrentProcess();
    var cpu0 = proc.TotalProcessorTime;
    var frames0 = cluster.Transports.Sum(t => t.Counters.FramesSent);
    var msgs0 = cluster.Transports.Sum(t => t.Counters.MessagesSent);
    var wall = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    proc.Refresh();
    var cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
    var frames = (cluster.Transports.Sum(t => t.Counters.FramesSent) - frames0) / wall.Elapsed.TotalSeconds;
    var msgs = (cluster.Transports.Sum(t => t.Counters.MessagesSent) - msgs0) / wall.Elapsed.TotalSeconds;
    var mode = quiesceAfterTicks > 0 ? $"quiesce after {quiesceAfterTicks} idle ticks" : "no quiescence";
    Console.WriteLine($"# {groups} idle groups x 3 nodes in one process, 100 ms ticks, heartbeat every tick, {mode}; all leaders elected after {elected.TotalSeconds:F1}s");
    Console.WriteLine("| groups | quiescence | CPU % of one core (3 nodes) | working set MB | managed heap MB | frames/s | messages/s |");
    Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
    Console.WriteLine($"| {groups} | {(quiesceAfterTicks > 0 ? "on" : "off")} | {cpu:F1} | {proc.WorkingSet64 / 1048576.0:F0} | {GC.GetTotalMemory(false) / 1048576.0:F0} | {frames:F0} | {msgs:F0} |");
    try
    {
        Directory.Delete(dir, recursive: true);
    }
    catch (IOException)
    {
    }
}

static async Task<IceFire.Raft.Hosting.RaftGroup> WaitForLeader(LoopbackCluster cluster, ulong group)
{
    var clock = Stopwatch.StartNew();
    while (true)
    {
        if (cluster.Leader(group) is { } leader) return leader;
        if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("no leader within 30s");
        await Task.Delay(20);
    }
}

static async Task<(double Rate, double P50, double P99)> Measure(int concurrency, int seconds, Func<Task> op)
{
    var latencies = new List<double>[concurrency];
    var stop = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    var workers = Enumerable.Range(0, concurrency).Select(async i =>
    {
        var mine = latencies[i] = [];
        while (stop.Elapsed < deadline)
        {
            var t0 = Stopwatch.GetTimestamp();
            await op();
            mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
    }).ToArray();
    await Task.WhenAll(workers);
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return (all.Length / stop.Elapsed.TotalSeconds, all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]);
}
