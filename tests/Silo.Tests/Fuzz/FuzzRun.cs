using IceFire.Silo.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>
/// The shape every protocol fuzz test shares: bursts of mutated traffic from a few workers while another tenant's
/// liveness probe runs, each burst followed by the checks that the silo is alive and handed its memory back, and at
/// the end the check that no input reached the host as an unhandled exception.
/// </summary>
internal sealed class FuzzRun(ITestOutputHelper output, SiloProcess silo, FuzzBudget budget)
{
    private const int Workers = 3;

    /// <summary>
    /// Runs every burst. <paramref name="worker"/> sends mutated inputs until the given time and returns how many;
    /// <paramref name="probe"/> is one liveness check (<paramref name="probeName"/> names it in failures), which must
    /// answer within 2 s. Returns the inputs sent in all.
    /// </summary>
    public async Task<long> RunAsync(string probeName, Func<CancellationToken, Task> probe, Func<Mutator, DateTime, long> worker)
    {
        output.WriteLine($"seed {budget.Seed}, {budget.Bursts} bursts of {budget.PerBurst.TotalSeconds} s (ICEFIRE_FUZZ_SEED replays it)");
        var baseline = ProcessMemory.ResidentBytes(silo.ProcessId);
        long inputs = 0;
        for (var burst = 0; burst < budget.Bursts; burst++)
        {
            await using (var liveness = new LivenessProbe(probe, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2)))
            {
                var until = DateTime.UtcNow + budget.PerBurst;
                var workers = new Task<long>[Workers];
                for (var w = 0; w < Workers; w++)
                {
                    var mutator = new Mutator(HashCode.Combine(budget.Seed, burst, w));
                    // Workers block on sockets: on threads of their own they never hold back the probe's continuations.
                    workers[w] = Task.Factory.StartNew(() => worker(mutator, until), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
                foreach (var count in await Task.WhenAll(workers))
                {
                    inputs += count;
                }
                output.WriteLine($"burst {burst}: {inputs} inputs so far, {liveness.Checks} {probeName} checks, slowest {liveness.Slowest.TotalMilliseconds:F1} ms, RSS {ProcessMemory.Mb(ProcessMemory.ResidentBytes(silo.ProcessId))}");
                Assert.True(liveness.Misses.Count == 0, $"{probeName} from another tenant missed its 2 s deadline during burst {burst} (seed {budget.Seed}):\n{string.Join("\n", liveness.Misses)}");
            }
            Assert.False(silo.HasExited, $"the silo exited during burst {burst} (seed {budget.Seed}):\n{silo.StandardError}");
            // Memory a burst took must be handed back once its connections are gone.
            var bound = Math.Max(baseline * 2, baseline + 160L * 1024 * 1024);
            var after = await ProcessMemory.WaitForResidentAtMostAsync(silo.ProcessId, bound, TimeSpan.FromSeconds(30));
            output.WriteLine($"burst {burst}: RSS {ProcessMemory.Mb(after)} after the burst (baseline {ProcessMemory.Mb(baseline)}, bound {ProcessMemory.Mb(bound)})");
            Assert.True(after <= bound, $"the silo kept {ProcessMemory.Mb(after)} resident 30 s after burst {burst}; it started at {ProcessMemory.Mb(baseline)} (seed {budget.Seed})");
        }
        output.WriteLine($"{inputs} inputs in all");
        Assert.True(inputs > 100, $"only {inputs} inputs were sent");
        return inputs;
    }

    /// <summary>An exception that reached the host means an input was not answered as the protocol says.</summary>
    public void AssertNothingUnhandled()
    {
        var log = silo.StandardOutput + silo.StandardError;
        var at = log.IndexOf("Unhandled exception", StringComparison.Ordinal);
        if (at < 0)
        {
            at = log.IndexOf("   at ", StringComparison.Ordinal);
        }
        Assert.True(at < 0, $"the silo logged an exception (seed {budget.Seed}):\n{log.Substring(Math.Max(0, at - 200), Math.Min(3000, log.Length - Math.Max(0, at - 200)))}");
    }
}
