namespace IceFire.Cluster.Bench;

/// <summary>
/// What the SET loads write, from the environment: BENCH_VALUE_SIZE bytes per value (128 by default), and with
/// BENCH_KEYSPACE=N a random key of N for each request instead of one key per client.
/// </summary>
internal static class Workload
{
    public static int ValueSize { get; } = Read("BENCH_VALUE_SIZE", 128);

    public static int Keyspace { get; } = Read("BENCH_KEYSPACE", 0);

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value >= 0 ? value : fallback;
}
