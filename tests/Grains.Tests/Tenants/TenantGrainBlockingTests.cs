using System.Text;
using IceFire.Grains.Interfaces;
using IceFire.Grains.Tenants;
using IceFire.Grains.Tests.Support;
using Xunit;

namespace IceFire.Grains.Tests.Tenants;

/// <summary>The tenant's side of blocking pops: parking, serving in the pushing transaction, timeouts, unblocking.</summary>
public sealed class TenantGrainBlockingTests : IDisposable
{
    private readonly TenantHarness _tenant = new();

    public void Dispose() => _tenant.Dispose();

    [Fact]
    public async Task AParkedPopCompletesWithThePushThatFillsItsKey()
    {
        var (waiter, replies, batch) = StartBatch(_tenant, "BLPOP", "a", "b", "0");
        await WaitBlocked(waiter, batch);
        Assert.False(waiter.IsCompleted);
        Assert.Equal(":1\r\n", await _tenant.Run("RPUSH", "b", "x"));
        await waiter;
        Assert.Equal("*2\r\n$1\r\nb\r\n$1\r\nx\r\n", replies.Text);
        Assert.Equal(":0\r\n", await _tenant.Run("EXISTS", "b"));
    }

    [Fact]
    public async Task AWaiterParkedAndFilledInOneGroupIsServedThere()
    {
        // Two connections' batches run back to back: the second one's push serves the first one's pop.
        var replies = new RecordingReplyWriter();
        var pop = new CommandBatch(replies);
        pop.Add(CommandTable.Find("BZPOPMAX"u8)!, 0, TenantHarness.Args("BZPOPMAX", "z", "0"));
        var push = new CommandBatch(new RecordingReplyWriter());
        push.Add(CommandTable.Find("ZADD"u8)!, 0, TenantHarness.Args("ZADD", "z", "1", "a", "2", "b"));
        var popped = _tenant.Grain.ExecuteAsync(pop).AsTask();
        var pushed = _tenant.Grain.ExecuteAsync(push).AsTask();
        await Task.WhenAll(popped, pushed);
        Assert.Equal("*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n", replies.Text);
        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\n1\r\n", await _tenant.Run("ZRANGE", "z", "0", "-1", "WITHSCORES"));
    }

    [Fact]
    public async Task ATimeoutAnswersNullOnceTheClockPassesIt()
    {
        var (waiter, replies, batch) = StartBatch(_tenant, "BRPOPLPUSH", "src", "dst", "1.5");
        await WaitBlocked(waiter, batch);
        _tenant.Clock.Advance(TimeSpan.FromMilliseconds(1400));
        Assert.Equal(":0\r\n", await _tenant.Run("EXISTS", "src"));
        Assert.False(waiter.IsCompleted);
        _tenant.Clock.Advance(TimeSpan.FromMilliseconds(100));
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("*-1\r\n", replies.Text);
        // The push after the timeout stays in the list.
        Assert.Equal(":1\r\n", await _tenant.Run("RPUSH", "src", "v"));
        Assert.Equal(":1\r\n", await _tenant.Run("LLEN", "src"));
    }

    [Fact]
    public async Task UnblockEndsTheWaitExactlyOnce()
    {
        var (waiter, replies, batch) = StartBatch(_tenant, "BLMPOP", "0", "1", "q", "LEFT");
        await WaitBlocked(waiter, batch);
        Assert.True(await _tenant.Grain.UnblockAsync(batch, UnblockReason.Error));
        await waiter;
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", replies.Text);
        Assert.False(batch.IsBlocked);
        Assert.False(await _tenant.Grain.UnblockAsync(batch, UnblockReason.Timeout));
        Assert.Equal(":1\r\n", await _tenant.Run("RPUSH", "q", "v"));
        Assert.Equal("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n", replies.Text);
    }

    [Fact]
    public async Task ACancelledClientStopsWaitingAndTakesNothing()
    {
        using var gone = new CancellationTokenSource();
        var replies = new RecordingReplyWriter();
        var batch = new CommandBatch(replies) { Cancellation = gone.Token };
        batch.Add(CommandTable.Find("BLPOP"u8)!, 0, TenantHarness.Args("BLPOP", "q", "0"));
        var waiter = _tenant.Grain.ExecuteAsync(batch).AsTask();
        await WaitBlocked(waiter, batch);
        await gone.CancelAsync();
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(":1\r\n", await _tenant.Run("RPUSH", "q", "v"));
        Assert.Equal(":1\r\n", await _tenant.Run("LLEN", "q"));
    }

    [Fact]
    public async Task AGroupThatRunsAgainAfterTheMapGrowsServesTheWaiterOnce()
    {
        using var tenant = new TenantHarness(new TenantOptions { Durability = DurabilityMode.Periodic, InitialMapSize = 1L << 20 });
        var replies = new RecordingReplyWriter();
        var pop = new CommandBatch(replies);
        pop.Add(CommandTable.Find("BLPOP"u8)!, 0, TenantHarness.Args("BLPOP", "q", "0"));
        var waiter = tenant.Grain.ExecuteAsync(pop).AsTask();
        await WaitBlocked(waiter, pop);
        // The push serves the waiter; the large value after it fills the map, so the whole group runs again.
        var big = new string('x', 3 << 20);
        var pushReplies = new RecordingReplyWriter();
        var push = new CommandBatch(pushReplies);
        push.Add(CommandTable.Find("RPUSH"u8)!, 0, TenantHarness.Args("RPUSH", "q", "a", "b"));
        push.Add(CommandTable.Find("SET"u8)!, 0, [Encoding.Latin1.GetBytes("SET"), Encoding.Latin1.GetBytes("big"), Encoding.Latin1.GetBytes(big)]);
        await tenant.Grain.ExecuteAsync(push);
        await waiter;
        Assert.Equal(":2\r\n+OK\r\n", pushReplies.Text);
        Assert.Equal("*2\r\n$1\r\nq\r\n$1\r\na\r\n", replies.Text);
        Assert.Equal("*1\r\n$1\r\nb\r\n", await tenant.Run("LRANGE", "q", "0", "-1"));
    }

    [Fact]
    public async Task ClosingTheTenantFailsAWaitingBatch()
    {
        var tenant = new TenantHarness();
        var (waiter, _, batch) = StartBatch(tenant, "BZPOPMIN", "z", "0");
        await WaitBlocked(waiter, batch);
        tenant.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static (Task Waiter, RecordingReplyWriter Replies, CommandBatch Batch) StartBatch(TenantHarness tenant, params string[] args)
    {
        var replies = new RecordingReplyWriter();
        var batch = new CommandBatch(replies);
        batch.Add(CommandTable.Find(Encoding.Latin1.GetBytes(args[0]))!, 0, TenantHarness.Args(args));
        return (tenant.Grain.ExecuteAsync(batch).AsTask(), replies, batch);
    }

    private static Task WaitBlocked(Task waiter, CommandBatch batch) =>
        Eventually.WaitUntilAsync(() => batch.IsBlocked || waiter.IsCompleted, "the command is parked");
}
