namespace IceFire.Cluster.Bench;

/// <summary>
/// SET load over RESP on one connection per worker: worker i writes key bench:i, or with a keyspace of N a random key
/// of N each time, with a value of <see cref="Workload.ValueSize"/> bytes.
/// </summary>
internal static class RespLoad
{
    public static Task RunAsync(string endpoint, int concurrency, double seconds, int runs, string? tenant, string? password) =>
        ClosedLoop.RunAsync(concurrency, seconds, runs, async i =>
        {
            var connection = await RespConnection.OpenAsync(endpoint);
            if (tenant is not null)
            {
                var auth = await connection.CallAsync(RespConnection.Encode("AUTH", tenant, password!));
                if (auth != "+OK") throw new InvalidOperationException($"AUTH {tenant}: {auth}");
            }

            var value = new string('x', Workload.ValueSize);
            var fixedSet = Workload.Keyspace == 0 ? RespConnection.Encode("SET", $"bench:{i}", value) : null;
            var random = new Random(i);
            return async () =>
            {
                var reply = await connection.CallAsync(fixedSet ?? RespConnection.Encode("SET", $"bench:{random.Next(Workload.Keyspace)}", value));
                if (reply == "+OK") return true;
                Console.Error.WriteLine($"SET via {endpoint}: {reply}");
                return false;
            };
        });
}
