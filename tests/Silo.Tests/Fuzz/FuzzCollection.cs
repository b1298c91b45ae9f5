using Xunit;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>
/// The fuzz tests run alone, after the parallel tests: their liveness probes measure how the server treats
/// its other clients under hostile input, which other tests' silos competing for the same two cores would blur.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz";
}
