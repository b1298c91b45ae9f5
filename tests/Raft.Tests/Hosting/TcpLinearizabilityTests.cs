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
        using var stop = new CancellationTokenSource();
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

        int Completed()
        {
            lock (history) return history.Count(o => !o.Pending);
        }

        // Each phase lasts until the clients complete more operations, not for a fixed time.
        async Task Progress(int operations, string during)
        {
            var target = Completed() + operations;
            await TcpCluster.WaitUntil(() => Completed() >= target, $"{operations} more completed operations {during}");
        }

        // Faults while the clients run: cut the leader off, heal, then restart a follower.
        try
        {
            await Progress(200, "before any fault");
            var leader = await c.WaitForLeader();
            c.Isolate(leader);
            await c.WaitForLeader(except: leader);
            await Progress(200, $"with the old leader {leader} isolated");
            c.Heal();
            var current = await c.WaitForLeader();
            var follower = c.Ids.First(id => id != current);
            await c.StopAsync(follower);
            await Progress(200, $"with follower {follower} stopped");
            c.Start(follower);
            await Progress(200, $"after restarting follower {follower}");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        var completed = Completed();
        output.WriteLine($"{history.Count} operations, {completed} completed, {history.Count - completed} with unknown outcome");
        var verdict = LinearizabilityChecker.Check(history);
        Assert.True(verdict.Verdict == Verdict.Linearizable, verdict.Describe());
    }

    private static async Task<Operation?> Write(TcpCluster c, int process, int key, long value)
    {
        if (!c.TryGet(c.LeaderOf(1), out var leader))
        {
            // No leader (an election is under way): the client's pause before it looks again, not a wait before an assertion.
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
            // The node cannot serve reads now: the client's pause before it tries again, not a wait before an assertion.
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
