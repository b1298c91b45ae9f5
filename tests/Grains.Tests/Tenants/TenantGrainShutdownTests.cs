using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainShutdownTests
{
    [Fact]
    public async Task EveryWriteRacingDisposeEitherCompletesOrFails()
    {
        for (var round = 0; round < 40; round++)
        {
            using var t = new TenantHarness(new TenantOptions { Durability = DurabilityMode.Periodic });
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
            {
                var pending = new List<Task<string>>();
                while (!stop.IsCancellationRequested)
                {
                    pending.Add(t.Run("INCR", "k" + w));
                    if (pending.Count > 8)
                    {
                        await Settle(pending[0]);
                        pending.RemoveAt(0);
                    }
                }
                foreach (var p in pending)
                {
                    await Settle(p);
                }
            })).ToArray();
            await Task.Yield();
            Thread.SpinWait(Random.Shared.Next(1, 20_000));
            t.Close();
            stop.Cancel();
            await Task.WhenAll(writers).WithinAsync(TimeSpan.FromSeconds(10), $"round {round}: every write racing the close completes or fails");
        }
    }

    private static async Task Settle(Task<string> write)
    {
        try
        {
            await write;
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
