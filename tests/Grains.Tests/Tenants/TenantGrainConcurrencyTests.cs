using System.Collections.Concurrent;
using System.Globalization;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tests.Support;
using Xunit;
using static IceFire.Grains.Tests.Tenants.Resp;

namespace IceFire.Grains.Tests.Tenants;

public sealed class TenantGrainConcurrencyTests : IDisposable
{
    private readonly TenantHarness _t = new();

    public void Dispose() => _t.Dispose();

    private static long ParseInt(string reply) => long.Parse(reply.AsSpan(1, reply.Length - 3), CultureInfo.InvariantCulture);

    [Fact]
    public async Task ConcurrentIncrementsOfOneKeyLoseNoUpdate()
    {
        const int Writers = 16;
        const int Increments = 200;
        var seen = new ConcurrentBag<long>();
        var tasks = new Task[Writers];
        for (var w = 0; w < Writers; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                // One batch per writer, reused call after call as a connection does.
                var replies = new RecordingReplyWriter();
                var batch = new CommandBatch(replies);
                var args = TenantHarness.Args("INCR", "counter");
                var info = CommandTable.Find("INCR"u8)!;
                var last = 0L;
                for (var i = 0; i < Increments; i++)
                {
                    batch.Clear();
                    replies.Clear();
                    batch.Add(info, 0, args);
                    await _t.Grain.ExecuteAsync(batch);
                    var value = ParseInt(replies.Text);
                    Assert.True(value > last, $"a writer saw {value} after {last}");
                    last = value;
                    seen.Add(value);
                }
            });
        }
        await Task.WhenAll(tasks);
        Assert.Equal(Bulk((Writers * Increments).ToString(CultureInfo.InvariantCulture)), await _t.Run("GET", "counter"));
        // Every increment got its own result: the replies are exactly 1..N.
        Assert.Equal(Enumerable.Range(1, Writers * Increments).Select(i => (long)i), seen.OrderBy(v => v));
        var info = await _t.Grain.GetInfoAsync();
        Assert.Equal(Writers * Increments, info.CommandsWritten);
        Assert.True(info.Commits <= Writers * Increments);
    }

    [Fact]
    public async Task MultiCommandBatchesFromManyWritersAreEachAppliedWhole()
    {
        const int Writers = 8;
        const int Rounds = 50;
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                // The two keys move together; no reader may see them apart.
                var reply = await _t.RunBatch(0, TenantHarness.Args("INCR", "a"), TenantHarness.Args("INCR", "b"));
                var parts = reply.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(parts[0], parts[1]);
            }
        })).ToArray();
        var readerFailures = new ConcurrentQueue<string>();
        var reader = Task.Run(async () =>
        {
            while (!tasks.All(t => t.IsCompleted))
            {
                var reply = await _t.RunBatch(0, TenantHarness.Args("GET", "a"), TenantHarness.Args("GET", "b"));
                // Both replies are the same frame (two nulls, or the same bulk) when a and b moved together.
                var half = reply.Length / 2;
                if (reply.Length % 2 != 0 || reply[..half] != reply[half..])
                {
                    readerFailures.Enqueue(reply);
                }
            }
        });
        await Task.WhenAll(tasks);
        await reader;
        Assert.Empty(readerFailures);
        var total = (Writers * Rounds).ToString(CultureInfo.InvariantCulture);
        Assert.Equal(Bulk(total) + Bulk(total), await _t.RunBatch(0, TenantHarness.Args("GET", "a"), TenantHarness.Args("GET", "b")));
    }

    [Fact]
    public async Task ReadersRunWhileWritesAreQueued()
    {
        await _t.Run("SET", "k", "v");
        var writes = Enumerable.Range(0, 200).Select(i => _t.Run("SET", "w" + i, "x")).ToArray();
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(Bulk("v"), await _t.Run("GET", "k"));
        }
        await Task.WhenAll(writes);
        Assert.All(writes, w => Assert.Equal(Ok, w.Result));
        Assert.Equal(201, await _t.DbSize());
    }

    [Fact]
    public async Task DisposeFinishesTheWritesAlreadyQueued()
    {
        var writes = Enumerable.Range(0, 100).Select(i => _t.Run("SET", "k" + i, "v")).ToArray();
        _t.Reopen();
        foreach (var write in writes)
        {
            // Each either was applied before the close or was refused; none hangs.
            try
            {
                Assert.Equal(Ok, await write.WaitAsync(TimeSpan.FromSeconds(10)));
            }
            catch (ObjectDisposedException)
            {
            }
        }
        var applied = writes.Count(w => w.IsCompletedSuccessfully);
        Assert.Equal(applied, await _t.DbSize());
    }
}
