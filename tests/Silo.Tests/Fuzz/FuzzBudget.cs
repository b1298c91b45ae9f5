using System.Globalization;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>
/// How long and from which seed a fuzz test runs. The suite runs short bursts; the soak script
/// (bench/fuzz-soak.sh) sets ICEFIRE_FUZZ_SECONDS to run millions of inputs, and ICEFIRE_FUZZ_SEED
/// replays a failure.
/// </summary>
internal sealed record FuzzBudget(TimeSpan PerBurst, int Bursts, int Seed)
{
    public static FuzzBudget FromEnvironment(TimeSpan defaultBurst, int defaultBursts)
    {
        var seconds = Environment.GetEnvironmentVariable("ICEFIRE_FUZZ_SECONDS");
        var bursts = Environment.GetEnvironmentVariable("ICEFIRE_FUZZ_BURSTS");
        var seed = Environment.GetEnvironmentVariable("ICEFIRE_FUZZ_SEED");
        return new FuzzBudget(
            seconds is null ? defaultBurst : TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)),
            bursts is null ? defaultBursts : int.Parse(bursts, CultureInfo.InvariantCulture),
            seed is null ? Random.Shared.Next() : int.Parse(seed, CultureInfo.InvariantCulture));
    }
}
