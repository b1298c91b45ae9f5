using IceFire.Raft.Tests.Linearizability;
using Xunit.Abstractions;

namespace IceFire.Raft.Tests.Simulation;

/// <summary>
/// Randomized runs under drops, duplicates, delays, reordering, partitions, crashes (some mid-batch, losing what was
/// not persisted), leadership transfers and membership changes. Every run checks the safety properties after each
/// event and the client history for linearizability. A failure names its seed; <see cref="ReplayOneSeed"/> replays it
/// (set RAFT_SEED). RAFT_SEEDS scales the number of seeds per scenario.
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    private static readonly int SeedsPerScenario = int.TryParse(Environment.GetEnvironmentVariable("RAFT_SEEDS"), out var n) ? n : 600;

    public static TheoryData<string> Scenarios() => new(ScenarioNames);

    private static readonly string[] ScenarioNames = ["default", "five-voters", "membership", "lease-reads", "no-prevote", "lossy", "quiescent", "everything"];

    private static SimOptions Scenario(string name) => name switch
    {
        "default" => new SimOptions(),
        "five-voters" => new SimOptions { Voters = 5 },
        "membership" => new SimOptions { Voters = 3, Spares = 2, MembershipChanges = true },
        "lease-reads" => new SimOptions { ReadMode = ReadMode.LeaseBased, TickDrift = 1 },
        "no-prevote" => new SimOptions { PreVote = false, CheckQuorum = false },
        "lossy" => new SimOptions { DropRate = 0.25, DuplicateRate = 0.1, MaxDelay = 60 },
        "everything" => new SimOptions
        {
            Voters = 5, Spares = 2, MembershipChanges = true, ReadMode = ReadMode.LeaseBased, TickDrift = 1, QuiesceAfterTicks = 4,
            ClientPauseRate = 0.1, DropRate = 0.1, DuplicateRate = 0.05, MaxDelay = 40, SnapshotEvery = 25,
        },
        "quiescent" => new SimOptions { QuiesceAfterTicks = 3, ReadMode = ReadMode.LeaseBased, TickDrift = 1, ClientPauseRate = 0.2 },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void SeedsKeepSafetyAndLinearizability(string scenario)
    {
        var options = Scenario(scenario);
        var offset = Array.IndexOf(ScenarioNames, scenario) * 1_000_000;
        long events = 0, checks = 0, ops = 0, committed = 0, quiet = 0;
        var started = DateTime.UtcNow;
        for (var s = 0; s < SeedsPerScenario; s++)
        {
            var r = RunChecked(offset + s, options);
            events += r.Events;
            checks += r.Checks;
            ops += r.History.Count;
            committed += r.Committed;
            quiet += r.QuietTicks;
        }

        output.WriteLine($"{scenario}: {SeedsPerScenario} seeds, {events} events, {checks} invariant checks, {committed} committed entries, {ops} client operations checked, {quiet} quiet node-ticks, {(DateTime.UtcNow - started).TotalSeconds:F1}s");
    }

    [Fact]
    public void ReplayOneSeed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RAFT_SEED"), out var s) ? s : 7;
        var scenario = Environment.GetEnvironmentVariable("RAFT_SCENARIO") ?? "default";
        var a = RunChecked(seed, Scenario(scenario));
        var b = RunChecked(seed, Scenario(scenario));
        Assert.Equal(a.Events, b.Events);
        Assert.Equal(a.History, b.History);
    }

    [Fact]
    public void RunsMakeProgress()
    {
        // Safety is vacuous if nothing commits: the fault-free run must commit and complete client operations.
        var r = RunChecked(1, new SimOptions { Crashes = false, Partitions = false, DropRate = 0, DuplicateRate = 0, Transfers = false });
        Assert.True(r.Committed > 50, $"only {r.Committed} entries committed");
        Assert.True(r.ClientOpsCompleted > 50, $"only {r.ClientOpsCompleted} client operations completed");
    }

    [Fact]
    public void SimulatorCatchesAHostWhoseFsyncLies()
    {
        // The checks are not vacuous: a host that loses acknowledged writes on a crash is caught within a few seeds.
        var options = new SimOptions { BuggyFsync = true, Partitions = false, DropRate = 0.01 };
        for (var seed = 0; seed < 500; seed++)
        {
            try
            {
                RunChecked(seed, options);
            }
            catch (SimulationFailure e)
            {
                output.WriteLine(e.Message);
                return;
            }
        }

        Assert.Fail("500 seeds with a lying fsync found no violation");
    }

    private static SimResult RunChecked(int seed, SimOptions options)
    {
        SimResult r;
        try
        {
            r = Simulation.Run(seed, options);
        }
        catch (SimulationFailure)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new SimulationFailure($"seed {seed} ({options}) threw: {e}");
        }

        var verdict = LinearizabilityChecker.Check(r.History);
        if (verdict.Verdict == Verdict.NotLinearizable)
            throw new SimulationFailure($"seed {seed} ({options}): history is not linearizable: {verdict.Describe()}");
        return r;
    }
}
