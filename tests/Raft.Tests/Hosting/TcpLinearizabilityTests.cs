using System.Diagnostics;
using System.Text;
using IceFire.Raft.Hosting;
using IceFire.Raft.Tests.Linearizability;
using Xunit.Abstractions;

namespace IceFire.Raft.Tests.Hosting;

/// <summary>Client histories over real TCP, file storage and threads, checked for linearizability while faults happen.</summary>
[Collection("tcp")]
public sealed class TcpLinearizabilityTests(ITestOutputHelper output)
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    [Fact]
    public async Task RegisterHistoryUnderPartitionAndRestartIsLinearizable()
    {
        await using var c = new TcpCluster(3);
        await c.WaitForLeader();
        var history = new List<Operation>();
        var process = 0;
        var value = 0L;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var clients = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            var rng = new Random(i);
            while (!stop.IsCancellationRequested)
            {
                var p = Interlocked.Increment(ref process);
                var key = rng.Next(2);
                var op = rng.Next(2) == 0
                    ? await Write(c, p, key, Interlocked.Increment(ref value))
                    : await Read(c, p, key, rng);
                if (op is not null)
                {
                    lock (history) history.Add(op);
                }
            }
        })).ToArray();

        // Faults while the clients run: cut the leader off, heal, then restart a follower.
        await Task.Delay(1000);
        var leader = await c.WaitForLeader();
        c.Isolate(leader);
        await c.WaitForLeader(except: leader);
        await Task.Delay(700);
        c.Heal();
        var current = await c.WaitForLeader();
        var follower = c.Ids.First(id => id != current);
        await c.StopAsync(follower);
        await Task.Delay(700);
        c.Start(follower);
        await Task.WhenAll(clients);

        var completed = history.Count(o => !o.Pending);
        Assert.True(completed > 50, $"only {completed} operations completed");
        output.WriteLine($"{history.Count} operations, {completed} completed, {history.Count - completed} with unknown outcome");
        var verdict = LinearizabilityChecker.Check(history);
        Assert.True(verdict.Verdict == Verdict.Linearizable, verdict.Describe());
    }

    private static async Task<Operation?> Write(TcpCluster c, int process, int key, long value)
    {
        if (!c.TryGet(c.LeaderOf(1), out var leader))
        {
            await Task.Delay(10);
            return null;
        }

        var invoke = Clock.ElapsedTicks;
        try
        {
            await leader.Groups[1].ProposeAsync(Encoding.UTF8.GetBytes($"{key}={value}")).WaitAsync(TimeSpan.FromSeconds(2));
            return new Operation(process, OpKind.Write, key, value, invoke, Clock.ElapsedTicks);
        }
        catch (RaftProposalException)
        {
            return null; // refused, or its entry was replaced: it never takes effect
        }
        catch (Exception e) when (e is TimeoutException or RaftOutcomeUnknownException or ObjectDisposedException)
        {
            return new Operation(process, OpKind.Write, key, value, invoke, long.MaxValue); // may take effect later
        }
    }

    private static async Task<Operation?> Read(TcpCluster c, int process, int key, Random rng)
    {
        if (!c.TryGet((ulong)rng.Next(1, 4), out var node)) return null;
        var invoke = Clock.ElapsedTicks;
        try
        {
            await node.Groups[1].ReadBarrierAsync().WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is TimeoutException or RaftProposalException or RaftOutcomeUnknownException or ObjectDisposedException)
        {
            await Task.Delay(10);
            return null;
        }

        long? seen = null;
        var prefix = $"{key}=";
        foreach (var item in node.Machines[1].Items)
        {
            if (item.StartsWith(prefix, StringComparison.Ordinal)) seen = long.Parse(item.AsSpan(prefix.Length));
        }

        return new Operation(process, OpKind.Read, key, seen, invoke, Clock.ElapsedTicks);
    }
}
