using IceFire.Silo.Tests.Infrastructure;
using Xunit;

namespace IceFire.Silo.Tests.Fuzz;

/// <summary>What a fuzzed silo printed: an exception that reached the host means an input was not answered as the protocol says.</summary>
internal static class FuzzLog
{
    public static void AssertNothingUnhandled(SiloProcess silo, int seed)
    {
        var log = silo.StandardOutput + silo.StandardError;
        var at = log.IndexOf("Unhandled exception", StringComparison.Ordinal);
        if (at < 0)
        {
            at = log.IndexOf("   at ", StringComparison.Ordinal);
        }
        Assert.True(at < 0, $"the silo logged an exception (seed {seed}):\n{log.Substring(Math.Max(0, at - 200), Math.Min(3000, log.Length - Math.Max(0, at - 200)))}");
    }
}
