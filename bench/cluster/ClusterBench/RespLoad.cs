namespace IceFire.Cluster.Bench;

/// <summary>SET load over RESP: worker i writes key bench:i with a 128-byte value on its own connection.</summary>
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

            var set = RespConnection.Encode("SET", $"bench:{i}", new string('x', 128));
            return async () =>
            {
                var reply = await connection.CallAsync(set);
                if (reply == "+OK") return true;
                Console.Error.WriteLine($"SET via {endpoint}: {reply}");
                return false;
            };
        });
}
